package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// The floor of the write benchmark (BenchmarkApplyBurst): a bare Go client
// posting the same creates. The plan benchmarks' floor is a program of its
// own, testdata/benchfloor.

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
			var created struct {
				ConnectID string `json:"connectId"`
			}
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
