package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// The floors of issue 16's command benchmarks: what a bare Go client needs
// to do the same network work. connectsync is compared with them in the
// same run (perf_bench_test.go).

// bareConfiguration is what a bare client decodes of each configuration: a
// plain struct, DocuSign's string booleans kept as strings.
type bareConfiguration struct {
	ConnectID            string   `json:"connectId"`
	Name                 string   `json:"name"`
	ConfigurationType    string   `json:"configurationType"`
	URLToPublishTo       string   `json:"urlToPublishTo"`
	AllowEnvelopePublish string   `json:"allowEnvelopePublish"`
	AllUsers             string   `json:"allUsers"`
	AllUsersExcept       string   `json:"allUsersExcept"`
	UserIDs              []string `json:"userIds"`
	DeliveryMode         string   `json:"deliveryMode"`
	Events               []string `json:"events"`
	EnvelopeEvents       []string `json:"envelopeEvents"`
	RecipientEvents      []string `json:"recipientEvents"`
	EventData            *struct {
		Version     string   `json:"version"`
		Format      string   `json:"format"`
		IncludeData []string `json:"includeData"`
	} `json:"eventData"`
	EnableLog               string `json:"enableLog"`
	RequiresAcknowledgement string `json:"requiresAcknowledgement"`
	IncludeHMAC             string `json:"includeHMAC"`
	IntegratorManaged       string `json:"integratorManaged"`
}

// bareList lists every account's configurations, concurrency calls at a
// time, over a transport that keeps a connection per concurrent call, and
// returns the decoded lists.
func bareList(ctx context.Context, baseURL, token string, accountIDs []string, concurrency int) ([][]bareConfiguration, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	out := make([][]bareConfiguration, len(accountIDs))
	var g errgroup.Group
	g.SetLimit(concurrency)
	for i, id := range accountIDs {
		g.Go(func() error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/restapi/v2.1/accounts/"+id+"/connect", nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("account %s: %s", id, resp.Status)
			}
			var list struct {
				Configurations []bareConfiguration `json:"configurations"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
				return err
			}
			out[i] = list.Configurations
			return nil
		})
	}
	return out, g.Wait()
}

// bareCreate posts n configurations to one account, parallel at a time,
// and returns how many answers were 429.
func bareCreate(ctx context.Context, baseURL, token, accountID string, n, parallel int) (tooMany int, err error) {
	tr := &http.Transport{MaxIdleConnsPerHost: parallel, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	codes := make([]int, n)
	var g errgroup.Group
	g.SetLimit(parallel)
	for i := range n {
		g.Go(func() error {
			body := fmt.Sprintf(`{"name":"hook-%03d","urlToPublishTo":"https://hooks.example.com/v1","allUsers":"true","deliveryMode":"SIM","eventData":{"version":"restv2.1"},"events":["envelope-sent"],"allowEnvelopePublish":"true","configurationType":"custom"}`, i)
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/restapi/v2.1/accounts/"+accountID+"/connect", strings.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var created bareConfiguration
			if err := json.NewDecoder(resp.Body).Decode(&created); err != nil {
				return err
			}
			codes[i] = resp.StatusCode
			return nil
		})
	}
	err = g.Wait()
	return len(slices.DeleteFunc(codes, func(c int) bool { return c != http.StatusTooManyRequests })), err
}

// benchFloorMain is the test binary run as connectsync-bench-floor: the
// bare client as a process of its own, for the memory floor. It reads
// BENCH_FLOOR_URL, BENCH_FLOOR_TOKEN, BENCH_FLOOR_ACCOUNTS (comma-separated)
// and BENCH_FLOOR_CONCURRENCY, lists every account and holds the answers
// to the end, as a plan does.
func benchFloorMain() {
	conc, _ := strconv.Atoi(os.Getenv("BENCH_FLOOR_CONCURRENCY"))
	ids := strings.Split(os.Getenv("BENCH_FLOOR_ACCOUNTS"), ",")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	lists, err := bareList(ctx, os.Getenv("BENCH_FLOOR_URL"), os.Getenv("BENCH_FLOOR_TOKEN"), ids, max(conc, 1))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	fmt.Println(n, "configurations")
	os.Exit(0)
}
