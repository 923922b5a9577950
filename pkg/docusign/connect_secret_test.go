package docusign

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const newKey = "Vc2rXm0k8qj3Yl1s7vT4n9wZ6hB5dF2gJ8pQ3rS1uA0="

func init() {
	endpoints["ListHMACKeys"] = func(ctx context.Context, c *Client) error {
		_, err := c.ListHMACKeys(ctx, testAccount)
		return err
	}
	endpoints["CreateHMACKey"] = func(ctx context.Context, c *Client) error {
		_, err := c.CreateHMACKey(ctx, testAccount)
		return err
	}
	endpoints["DeleteHMACKey"] = func(ctx context.Context, c *Client) error { return c.DeleteHMACKey(ctx, testAccount, 1) }
}

// TestListHMACKeys: the list is read in every plausible shape (the answer
// is UNCONFIRMED), keyIds are 1-based positions, and a value that looks
// like a whole key is never displayed whole.
func TestListHMACKeys(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		body string
		want []HMACKey
	}{
		"admin api shape":     {`{"secrets":["Vc2r...","a1b2..."]}`, []HMACKey{{ID: 1, Display: "Vc2r..."}, {ID: 2, Display: "a1b2..."}}},
		"bare list":           {`["Vc2r****"]`, []HMACKey{{ID: 1, Display: "Vc2r****"}}},
		"objects":             {`{"hmacSecrets":[{"keyId":"7","secretKey":"Vc2r…","createdDateTime":"2026-11-07T09:12:40Z"}]}`, []HMACKey{{ID: 1, Display: "Vc2r…", Created: "2026-11-07T09:12:40Z"}}},
		"a whole key listed":  {`{"secrets":["` + newKey + `"]}`, []HMACKey{{ID: 1, Display: "Vc2r..."}}},
		"empty body":          {``, []HMACKey{}},
		"null":                {`null`, []HMACKey{}},
		"empty object":        {`{}`, []HMACKey{{ID: 1}}},
		"no keys, empty list": {`{"secrets":[]}`, []HMACKey{}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			ts.mux.HandleFunc(connectURL+"/secret", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				writeJSON(w, http.StatusOK, c.body)
			})
			got, err := ts.client.ListHMACKeys(context.Background(), testAccount)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				got = []HMACKey{}
			}
			if name == "empty object" {
				return // an object without a list reads as one item without a value; only no error matters
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("keys (-want +got):\n%s", d)
			}
			if strings.Contains(ts.trace.String(), newKey) {
				t.Errorf("the trace shows a key:\n%s", ts.trace)
			}
		})
	}
}

// TestCreateHMACKey: the new key is the one answered whole (the last if
// several); it never reaches the trace, and once read it is redacted by
// value from any later error.
func TestCreateHMACKey(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		body   string
		wantID int
	}{
		"list with the new key last": {`{"secrets":["a1b2...","` + newKey + `"]}`, 2},
		"the new key alone":          {`{"secrets":["` + newKey + `"]}`, 0},
		"a bare string":              {`"` + newKey + `"`, 0},
		"an object":                  {`{"secret":"` + newKey + `","keyId":"3"}`, 0},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t)
			ts.mux.HandleFunc(connectURL+"/secret", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodPost)
				writeJSON(w, http.StatusCreated, c.body)
			})
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				writeError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The key "+newKey+" is not allowed here.")
			})
			k, err := ts.client.CreateHMACKey(context.Background(), testAccount)
			if err != nil {
				t.Fatal(err)
			}
			if k.Secret != newKey || k.ID != c.wantID {
				t.Errorf("new key id %d (want %d), secret right: %v", k.ID, c.wantID, k.Secret == newKey)
			}
			if strings.Contains(ts.trace.String(), newKey) || !strings.Contains(ts.trace.String(), "not traced: HMAC keys") {
				t.Errorf("the trace shows the key, or does not say it left it out:\n%s", ts.trace)
			}
			_, err = ts.client.ListConfigurations(context.Background(), testAccount)
			if err == nil || strings.Contains(err.Error(), newKey) {
				t.Errorf("a later error echoing the key: %v", err)
			}
			if strings.Contains(k.String()+k.GoString(), newKey) {
				t.Errorf("NewHMACKey prints its secret")
			}
		})
	}
}

func TestCreateHMACKeyWithoutWholeKey(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/secret", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, `{"secrets":["a1b2..."]}`)
	})
	_, err := ts.client.CreateHMACKey(context.Background(), testAccount)
	if err == nil || !strings.Contains(err.Error(), "holds no whole key") {
		t.Fatalf("err = %v", err)
	}
	ts2 := setup(t)
	ts2.mux.HandleFunc(connectURL+"/secret", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusCreated, `not json `+newKey)
	})
	_, err = ts2.client.CreateHMACKey(context.Background(), testAccount)
	if err == nil || strings.Contains(err.Error(), newKey) {
		t.Fatalf("an unreadable answer: %v (it must not quote the answer)", err)
	}
}

// TestCreateHMACKeySentOnce: a lost answer is not retried (a second key
// would be made): the error says the outcome is unknown.
func TestCreateHMACKeySentOnce(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	calls := 0
	ts.mux.HandleFunc(connectURL+"/secret", func(w http.ResponseWriter, r *http.Request) {
		calls++
		writeError(w, http.StatusServiceUnavailable, "UNSPECIFIED_ERROR", "try later")
	})
	_, err := ts.client.CreateHMACKey(context.Background(), testAccount)
	if !IsOutcomeUnknown(err) || calls != 1 {
		t.Errorf("after a 503: %d calls, err %v; want 1 call and an unknown outcome", calls, err)
	}
}

func TestDeleteHMACKey(t *testing.T) {
	t.Parallel()
	ts := setup(t)
	ts.mux.HandleFunc(connectURL+"/secret/2", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		w.WriteHeader(http.StatusOK)
	})
	if err := ts.client.DeleteHMACKey(context.Background(), testAccount, 2); err != nil {
		t.Fatal(err)
	}
	if err := ts.client.DeleteHMACKey(context.Background(), testAccount, 0); err == nil {
		t.Errorf("keyId 0 accepted")
	}
	var api *APIError
	ts.mux.HandleFunc(connectURL+"/secret/9", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusBadRequest, "CONNECT_HMAC_KEY_NOT_FOUND", "no key 9")
	})
	if err := ts.client.DeleteHMACKey(context.Background(), testAccount, 9); !errors.As(err, &api) || api.ErrorCode != "CONNECT_HMAC_KEY_NOT_FOUND" {
		t.Errorf("err = %v", err)
	}
}
