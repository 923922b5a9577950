// Command benchfloor is the floor of connectsync's plan benchmarks
// (pkg/cli/perf_bench_test.go): a bare Go client, as small as a program
// doing the same network work can be. It lists the configurations of every
// account in BENCH_FLOOR_ACCOUNTS (comma-separated) at BENCH_FLOOR_URL,
// BENCH_FLOOR_CONCURRENCY at a time, with the token BENCH_FLOOR_TOKEN,
// decodes the answers into a plain struct and holds them to the end.
//
// Run as "benchfloor -run COMMAND ARGS...", it runs the command instead and
// writes the command's peak RSS in kilobytes to the file BENCH_RSS_FILE:
// a child of the benchmark's own process would report at least that
// process's RSS (Linux counts the pages it shares before exec), so the
// benchmarks measure peak memory through this small program.
//
// It is built by the benchmarks (go build ./testdata/benchfloor); testdata
// keeps it out of ./... .
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sync/errgroup"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "-run" {
		os.Exit(run(os.Args[2:]))
	}
	conc, _ := strconv.Atoi(os.Getenv("BENCH_FLOOR_CONCURRENCY"))
	ids := strings.Split(os.Getenv("BENCH_FLOOR_ACCOUNTS"), ",")
	lists, err := bareList(context.Background(), os.Getenv("BENCH_FLOOR_URL"), os.Getenv("BENCH_FLOOR_TOKEN"), ids, max(conc, 1))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	fmt.Println(n, "configurations")
}

// run runs a command with this program's stdin, stdout and stderr and
// writes its peak RSS to BENCH_RSS_FILE; it returns the command's exit code.
func run(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && os.Getenv("BENCH_RSS_FILE") != "" {
		os.WriteFile(os.Getenv("BENCH_RSS_FILE"), []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o644)
	}
	if err != nil && cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	return cmd.ProcessState.ExitCode()
}

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
