package emulator

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchSeed is 200 accounts of 25 JSON SIM configurations each.
func benchSeed() *Seed {
	seed := &Seed{}
	for i := range 200 {
		sa := SeedAccount{AccountID: fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1), Name: fmt.Sprintf("Bench %03d", i)}
		for j := range 25 {
			sa.Configurations = append(sa.Configurations, Configuration{
				Name: fmt.Sprintf("hook-%02d", j), ConfigurationType: "custom",
				URLToPublishTo:       fmt.Sprintf("https://hooks.example.com/%d/%d", i, j),
				AllowEnvelopePublish: True, AllUsers: True, DeliveryMode: "SIM",
				Events: []string{"envelope-sent", "envelope-completed"}, EventData: &EventData{Version: "restv2.1"},
			})
		}
		seed.Accounts = append(seed.Accounts, sa)
	}
	return seed
}

// benchWrites sends n writes to the emulator behind srv, parallel at a
// time, spread over the accounts: creates, each followed by an update of
// what it created, so the state keeps its size. It returns writes per second.
func benchWrites(b *testing.B, e *Emulator, url string, seed *Seed, n, parallel int) float64 {
	token, err := e.IssueToken(SandboxUserID)
	if err != nil {
		b.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: parallel}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	send := func(method, acct, body string) string {
		req, _ := http.NewRequest(method, url+connect(acct), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			b.Fatalf("%s: %d %s", method, resp.StatusCode, data)
		}
		_, id, _ := strings.Cut(string(data), `"connectId":"`)
		id, _, _ = strings.Cut(id, `"`)
		return id
	}
	var wg sync.WaitGroup
	work := make(chan int)
	start := time.Now()
	for range parallel {
		wg.Go(func() {
			for i := range work {
				acct := seed.Accounts[i%len(seed.Accounts)].AccountID
				body := fmt.Sprintf(`{"name":"w-%d","configurationType":"custom","urlToPublishTo":"https://h.example.com/%d","allUsers":"true","deliveryMode":"SIM","eventData":{"version":"restv2.1"},"events":["envelope-sent"]`, i, i)
				id := send(http.MethodPost, acct, body+"}")
				send(http.MethodPut, acct, body+`,"connectId":"`+id+`","enableLog":"true"}`)
			}
		})
	}
	for i := range n / 2 {
		work <- i
	}
	close(work)
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkWrites measures the emulator's writes per second with a state
// of 200 accounts × 25 configurations kept in a state file (issue 16: at
// least 1,000 per second, crash-safe), one writer and eight at a time.
// Floor: the same writes to an emulator that keeps its state in memory only.
//
//	go test ./pkg/emulator -run '^$' -bench Writes -benchtime 3x
func BenchmarkWrites(b *testing.B) {
	const n = 1000
	for _, parallel := range []int{1, 8} {
		b.Run(fmt.Sprintf("parallel-%d", parallel), func(b *testing.B) {
			var rates, floors, ratios []float64
			for b.Loop() {
				b.StopTimer()
				seed := benchSeed()
				mem, err := New(Options{Seed: seed, SandboxKey: testKey(), Limits: Limits{Hourly: 1 << 30, Burst: 1 << 30}})
				if err != nil {
					b.Fatal(err)
				}
				msrv := httptest.NewServer(mem)
				floor := benchWrites(b, mem, msrv.URL, seed, n, parallel)
				msrv.Close()
				e, err := New(Options{Seed: seed, SandboxKey: testKey(), StatePath: filepath.Join(b.TempDir(), "state.json"),
					Limits: Limits{Hourly: 1 << 30, Burst: 1 << 30}})
				if err != nil {
					b.Fatal(err)
				}
				srv := httptest.NewServer(e)
				b.StartTimer()
				rate := benchWrites(b, e, srv.URL, seed, n, parallel)
				b.StopTimer()
				srv.Close()
				rates, floors, ratios = append(rates, rate), append(floors, floor), append(ratios, floor/rate)
				b.StartTimer()
			}
			b.ReportMetric(med(rates), "writes/s")
			b.ReportMetric(med(floors), "floor-writes/s")
			b.ReportMetric(med(ratios), "x-floor")
		})
	}
}

func med(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
