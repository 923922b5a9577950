package docusign

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// endpoints calls every endpoint once, for the tests that check what all of
// them do with the same answer.
var endpoints = map[string]func(context.Context, *Client) error{
	"ListConfigurations": func(ctx context.Context, c *Client) error {
		_, err := c.ListConfigurations(ctx, testAccount)
		return err
	},
	"GetConfiguration": func(ctx context.Context, c *Client) error {
		_, err := c.GetConfiguration(ctx, testAccount, "22210617")
		return err
	},
	"CreateConfiguration": func(ctx context.Context, c *Client) error {
		_, err := c.CreateConfiguration(ctx, testAccount, Configuration{Name: "orders"})
		return err
	},
	"UpdateConfiguration": func(ctx context.Context, c *Client) error {
		_, err := c.UpdateConfiguration(ctx, testAccount, Configuration{ConnectID: "22210617", Name: "orders"})
		return err
	},
	"DeleteConfiguration": func(ctx context.Context, c *Client) error {
		return c.DeleteConfiguration(ctx, testAccount, "22210617")
	},
	"ListUsers": func(ctx context.Context, c *Client) error {
		_, err := c.ListUsers(ctx, testAccount, "22210617")
		return err
	},
}

// recordedFirst is the first configuration of testdata/connect-list.json.
func recordedFirst() Configuration {
	t, f := BoolPtr(true), BoolPtr(false)
	return Configuration{
		ConnectID:                         "22210617",
		ConfigurationType:                 "custom",
		URLToPublishTo:                    "https://example.com/webhook",
		Name:                              "Test Connect",
		AllowEnvelopePublish:              t,
		EnableLog:                         f,
		IncludeDocuments:                  f,
		IncludeCertificateOfCompletion:    f,
		RequiresAcknowledgement:           t,
		SignMessageWithX509Certificate:    f,
		UseSoapInterface:                  f,
		IncludeTimeZoneInformation:        f,
		IncludeOAuth:                      f,
		IncludeHMAC:                       f,
		IntegratorManaged:                 f,
		IncludeEnvelopeVoidReason:         f,
		IncludeSenderAccountasCustomField: f,
		EnvelopeEvents:                    []string{"sent", "delivered", "completed"},
		RecipientEvents:                   []string{"Sent", "Delivered", "Completed"},
		AllUsers:                          t,
		AllUsersExcept:                    f,
		IncludeCertSoapHeader:             f,
		RequireMutualTLS:                  f,
		IncludeDocumentFields:             f,
		PausePublish:                      f,
		EventData:                         &EventData{IncludeData: []string{}},
		EnableOAuthPerConfiguration:       f,
	}
}

func TestListConfigurations(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeader(t, r, "Authorization", "Bearer "+testToken)
		serveFile(t, w, http.StatusOK, "connect-list.json")
	})
	got, err := ts.client.ListConfigurations(context.Background(), testAccount)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ConnectID)
	}
	if diff := cmp.Diff([]string{"22210617", "22210619", "22210640", "22210641"}, ids); diff != "" {
		t.Errorf("connectIds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(recordedFirst(), got[0]); diff != "" {
		t.Errorf("first configuration (-want +got):\n%s", diff)
	}
}

func TestListConfigurationsToleratesUnknownFields(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"configurations":[{"connectId":"1","name":"a","fieldAdded2027":{"x":["y"]}}],"totalRecords":"1","newTopLevel":true}`)
	})
	got, err := ts.client.ListConfigurations(context.Background(), testAccount)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0].Unknown["fieldAdded2027"]) != `{"x":["y"]}` {
		t.Errorf("got %+v, want the unknown field kept", got)
	}
}

func TestGetConfiguration(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/22210617", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		serveFile(t, w, http.StatusOK, "connect-list-one.json") // the list wrapper, as DocuSign answers
	})
	ts.mux.HandleFunc(connectURL+"/999", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"configurations":[],"totalRecords":"0"}`)
	})
	got, err := ts.client.GetConfiguration(context.Background(), testAccount, "22210617")
	if err != nil {
		t.Fatal(err)
	}
	want := recordedFirst()
	want.EventData.Version = "restv2.1"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetConfiguration (-want +got):\n%s", diff)
	}

	_, err = ts.client.GetConfiguration(context.Background(), testAccount, "999")
	if !IsNotFound(err) {
		t.Errorf("empty list: err = %v, want IsNotFound", err)
	}
}

func TestCreateConfiguration(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, `{
			"name": "Nango Connect Validation",
			"configurationType": "custom",
			"urlToPublishTo": "https://example.com/webhook/nango",
			"allUsers": "true",
			"allowEnvelopePublish": "true",
			"envelopeEvents": ["sent", "delivered", "completed"],
			"recipientEvents": ["Sent", "Delivered", "Completed"],
			"password": "listener-secret"
		}`)
		serveFile(t, w, http.StatusCreated, "connect-create.json")
	})
	got, err := ts.client.CreateConfiguration(context.Background(), testAccount, Configuration{
		ConnectID:            "not-sent",
		Name:                 "Nango Connect Validation",
		ConfigurationType:    "custom",
		URLToPublishTo:       "https://example.com/webhook/nango",
		AllUsers:             BoolPtr(true),
		AllowEnvelopePublish: BoolPtr(true),
		EnvelopeEvents:       []string{"sent", "delivered", "completed"},
		RecipientEvents:      []string{"Sent", "Delivered", "Completed"},
		Password:             "listener-secret",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ConnectID != "22210641" || got.RequiresAcknowledgement == nil || !bool(*got.RequiresAcknowledgement) {
		t.Errorf("created = %+v, want the recorded answer", got)
	}
}

func TestUpdateConfiguration(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		testJSONBody(t, r, string(readTestdata(t, "connect-update-request.json")))
		serveFile(t, w, http.StatusOK, "connect-update.json")
	})
	var cfg Configuration
	if err := json.Unmarshal(readTestdata(t, "connect-update-request.json"), &cfg); err != nil {
		t.Fatal(err)
	}
	got, err := ts.client.UpdateConfiguration(context.Background(), testAccount, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got.ConnectID != "22210617" || got.Name != "Test Connect Updated Dryrun" || !bool(*got.EnableLog) {
		t.Errorf("updated = %+v, want the recorded answer", got)
	}
}

func TestDeleteConfiguration(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	var calls atomic.Int32
	ts.mux.HandleFunc(connectURL+"/22210641", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testMethod(t, r, http.MethodDelete)
		// As recorded: 200, empty body, application/octet-stream.
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	})
	if err := ts.client.DeleteConfiguration(context.Background(), testAccount, "22210641"); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Errorf("%d calls, want 1", calls.Load())
	}
}

func TestConnectIDIsEscaped(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/{id}", func(w http.ResponseWriter, r *http.Request) {
		if got := r.PathValue("id"); got != "a/b c" {
			t.Errorf("connectId in the path = %q, want %q", got, "a/b c")
		}
		w.WriteHeader(http.StatusOK)
	})
	if err := ts.client.DeleteConfiguration(context.Background(), testAccount, "a/b c"); err != nil {
		t.Fatal(err)
	}
}

// serveUsers answers .../users from total made-up users, honouring count and
// start_position; withTotal false leaves out totalSetSize so that only
// nextUri tells whether there is more.
func serveUsers(t *testing.T, calls *atomic.Int32, total int, withTotal bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testMethod(t, r, http.MethodGet)
		count, err1 := strconv.Atoi(r.URL.Query().Get("count"))
		start, err2 := strconv.Atoi(r.URL.Query().Get("start_position"))
		if err1 != nil || err2 != nil || count <= 0 {
			t.Errorf("bad paging query %q", r.URL.RawQuery)
			return
		}
		if r.URL.Query().Get("list_included_users") != "true" {
			t.Errorf("users are listed without list_included_users=true: %q", r.URL.RawQuery)
		}
		end := min(start+count, total)
		var users []string
		for i := start; i < end; i++ {
			users = append(users, fmt.Sprintf(`{"userId":"u%d","userName":"User %d","email":"u%d@example.com","userStatus":"Active"}`, i, i, i))
		}
		next := "null"
		if end < total {
			next = fmt.Sprintf(`"/v2.1/accounts/%s/connect/1/users?start_position=%d&count=%d"`, testAccount, end, count)
		}
		totalField := ""
		if withTotal {
			totalField = fmt.Sprintf(`"totalSetSize":"%d",`, total)
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"users":[%s],"allUsersSelected":"true","resultSetSize":"%d",%s"startPosition":"%d","endPosition":"%d","nextUri":%s,"previousUri":null}`,
			strings.Join(users, ","), end-start, totalField, start, max(end-1, 0), next))
	}
}

func TestListUsersPaginates(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		total     int
		withTotal bool
		wantCalls int32
	}{
		"three pages, totalSetSize": {total: 250, withTotal: true, wantCalls: 3},
		"three pages, nextUri only": {total: 250, withTotal: false, wantCalls: 3},
		"exactly one page":          {total: 100, withTotal: true, wantCalls: 1},
		"one page, nextUri only":    {total: 100, withTotal: false, wantCalls: 1},
		"no users":                  {total: 0, withTotal: true, wantCalls: 1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			var calls atomic.Int32
			ts.mux.HandleFunc(connectURL+"/1/users", serveUsers(t, &calls, tt.total, tt.withTotal))
			users, err := ts.client.ListUsers(context.Background(), testAccount, "1")
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != tt.total {
				t.Errorf("%d users, want %d", len(users), tt.total)
			}
			for i, u := range users {
				if u.UserID != fmt.Sprintf("u%d", i) {
					t.Fatalf("users[%d] = %s: pages out of order or repeated", i, u.UserID)
				}
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestEndpointsReportAPIErrors(t *testing.T) {
	t.Parallel()
	for name, call := range endpoints {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				writeError(w, http.StatusBadRequest, "USER_LACKS_PERMISSIONS", "This user lacks sufficient permissions to access this resource.")
			})
			err := call(context.Background(), ts.client)
			if !IsPermission(err) {
				t.Fatalf("err = %v, want IsPermission", err)
			}
			for _, want := range []string{"account " + testAccount, "400 USER_LACKS_PERMISSIONS", "must be an account administrator; is Connect enabled on the account?"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestEndpointsRejectNonJSONSuccess(t *testing.T) {
	t.Parallel()
	for name, call := range endpoints {
		if strings.HasPrefix(name, "Delete") {
			continue // their body is ignored
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			ts.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				fmt.Fprint(w, "<html><title>Sign in</title></html>")
			})
			err := call(context.Background(), ts.client)
			if err == nil || !strings.Contains(err.Error(), "decode answer") || !strings.Contains(err.Error(), "Sign in") {
				t.Errorf("err = %v, want a decode error quoting the page title", err)
			}
		})
	}
}
