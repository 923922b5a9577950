package docusign

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAPIErrorClasses(t *testing.T) {
	t.Parallel()
	type class struct{ notFound, permission, auth, rateLimited bool }
	tests := map[string]struct {
		status      int
		contentType string
		body        string
		want        class
		wantCode    string
		wantInMsg   []string
	}{
		"user lacks permissions": {
			status: 400, body: `{"errorCode":"USER_LACKS_PERMISSIONS","message":"This user lacks sufficient permissions to access this resource."}`,
			want: class{permission: true}, wantCode: "USER_LACKS_PERMISSIONS",
			wantInMsg: []string{"GET " + baseURLPath + connectURL + ": 400 USER_LACKS_PERMISSIONS: This user lacks", "must be an account administrator; is Connect enabled on the account?"},
		},
		"account lacks permissions, 403": {
			status: 403, body: `{"errorCode":"ACCOUNT_LACKS_PERMISSIONS","message":"This account lacks sufficient permissions."}`,
			want: class{permission: true}, wantCode: "ACCOUNT_LACKS_PERMISSIONS",
			wantInMsg: []string{"is Connect enabled on the account?"},
		},
		"user authentication failed": {
			status: 401, body: `{"errorCode":"USER_AUTHENTICATION_FAILED","message":"One or both of Username and Password are invalid. Invalid access token"}`,
			want: class{auth: true}, wantCode: "USER_AUTHENTICATION_FAILED",
			wantInMsg: []string{"access token is bad or expired"},
		},
		"invalid token": {
			status: 401, body: `{"errorCode":"AUTHORIZATION_INVALID_TOKEN","message":"The access token provided is expired, revoked or malformed."}`,
			want: class{auth: true}, wantInMsg: []string{"access token is bad or expired"},
		},
		"401 without a body": {
			status: 401, want: class{auth: true}, wantInMsg: []string{"401: Unauthorized", "access token is bad or expired"},
		},
		"bad integration key": {
			status: 400, body: `{"errorCode":"PARTNER_AUTHENTICATION_FAILED","message":"The specified Integrator Key was not found or is disabled."}`,
			want: class{auth: true}, wantInMsg: []string{"integration key is wrong"},
		},
		"not found, 404": {
			status: 404, body: `{"errorCode":"RESOURCE_NOT_FOUND","message":"The resource could not be found."}`,
			want: class{notFound: true},
		},
		"not found, errorCode only": {
			status: 400, body: `{"errorCode":"CONNECT_CONFIGURATION_NOT_FOUND","message":"No configuration."}`,
			want: class{notFound: true},
		},
		"hourly limit, 400": {
			status: 400, body: `{"errorCode":"HOURLY_APIINVOCATION_LIMIT_EXCEEDED","message":"The maximum number of hourly API invocations has been exceeded."}`,
			want: class{rateLimited: true}, wantInMsg: []string{"rate limit"},
		},
		"burst limit, 429": {
			status: 429, body: `{"errorCode":"BURST_APIINVOCATION_LIMIT_EXCEEDED","message":"The maximum number of burst API invocations has been exceeded."}`,
			want: class{rateLimited: true},
		},
		"mixed-case limit code": {
			status: 400, body: `{"errorCode":"Hourly_Envelope_Polling_Limit_Exceeded","message":"x"}`,
			want: class{rateLimited: true},
		},
		"user not in account": {
			status: 400, body: `{"errorCode":"USER_DOES_NOT_BELONG_TO_SPECIFIED_ACCOUNT","message":"The specified User is not a member of the specified Account."}`,
			wantInMsg: []string{"check the accountId"},
		},
		"HTML from a proxy": {
			status: 502, contentType: "text/html; charset=utf-8",
			body:      "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>" + strings.Repeat("x", 5000) + "</body></html>",
			wantInMsg: []string{"502: unexpected text/html answer, not from the DocuSign API?: 502 Bad Gateway", "try again later"},
		},
		"plain text": {
			status: 400, contentType: "text/plain", body: "Request rejected by https://user:hunter2@proxy.example.com",
			wantInMsg: []string{"unexpected text/plain answer", "https://REDACTED@proxy.example.com"},
		},
		"validation error": {
			status: 400, body: `{"errorCode":"INVALID_REQUEST_PARAMETER","message":"The request contained at least one invalid parameter."}`,
			wantCode: "INVALID_REQUEST_PARAMETER",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := setup(t, func(o *Options) { o.MaxRetries = -1; o.MaxRateLimitWait = 2 * time.Hour })
			ts.mux.HandleFunc(connectURL, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", cmpOr(tt.contentType, "application/json; charset=utf-8"))
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			_, err := ts.client.ListConfigurations(context.Background(), testAccount)
			var api *APIError
			if !errors.As(err, &api) {
				t.Fatalf("err = %v (%T), want an *APIError inside", err, err)
			}
			if api.Status != tt.status || api.Method != http.MethodGet || api.Path != baseURLPath+connectURL {
				t.Errorf("APIError = %+v", api)
			}
			if tt.wantCode != "" && api.ErrorCode != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", api.ErrorCode, tt.wantCode)
			}
			got := class{IsNotFound(err), IsPermission(err), IsAuth(err), IsRateLimited(err)}
			if got != tt.want {
				t.Errorf("classes = %+v, want %+v (err %v)", got, tt.want, err)
			}
			for _, want := range tt.wantInMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if len(err.Error()) > 600 {
				t.Errorf("error is %d bytes long; a long body should be summarised", len(err.Error()))
			}
			if IsOutcomeUnknown(err) {
				t.Errorf("IsOutcomeUnknown(%v) on a GET", err)
			}
		})
	}
}

func TestHelpersOnOtherErrors(t *testing.T) {
	t.Parallel()
	for _, err := range []error{nil, errors.New("x"), context.Canceled} {
		if IsNotFound(err) || IsPermission(err) || IsAuth(err) || IsRateLimited(err) || IsOutcomeUnknown(err) {
			t.Errorf("a helper is true for %v", err)
		}
	}
	wrapped := fmt.Errorf("apply: %w", &OutcomeUnknownError{Method: "POST", Path: "/x", Err: errors.New("EOF")})
	if !IsOutcomeUnknown(wrapped) {
		t.Error("IsOutcomeUnknown is false for a wrapped *OutcomeUnknownError")
	}
	if !IsRateLimited(&RateLimitError{AccountID: "a"}) || !IsAuth(&ConsentRequiredError{}) || !IsAuth(&OAuthError{Status: 400}) {
		t.Error("a helper misses its own type")
	}
	if !IsNotFound(fmt.Errorf("get: %w", ErrNotFound)) {
		t.Error("IsNotFound misses ErrNotFound")
	}
}

func TestRedactedPathInErrors(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse("https://user:pw@demo.docusign.net/restapi/v2.1/accounts/1/connect?access_token=abc&count=5&assertion=eyJ")
	got := redactedPath(u)
	want := "/restapi/v2.1/accounts/1/connect?access_token=REDACTED&assertion=REDACTED&count=5"
	if got != want {
		t.Errorf("redactedPath = %q, want %q", got, want)
	}
}

func TestRateLimitErrorMessage(t *testing.T) {
	t.Parallel()
	err := &RateLimitError{AccountID: "acct", Reset: time.Date(2026, 6, 24, 13, 0, 0, 0, time.UTC), Wait: 30 * time.Minute, MaxWait: time.Minute}
	want := "account acct: DocuSign's API rate limit is spent until 13:00:00 UTC (in 30m0s), longer than the client waits (1m0s); try again later"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
