package connectevent

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Fixed inputs, so a message depends on nothing else.
const (
	testAccount  = "8f3c1b9e-2d4a-4b6c-9e8f-1a2b3c4d5e6f"
	testEnvelope = "93be49ab-1c2d-4e5f-8a9b-f752070d71ec"
	testConnect  = "22210641"
)

var (
	testTime   = time.Date(2026, 11, 7, 9, 12, 40, 123456700, time.UTC)
	testSender = Person{UserID: "0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19", Name: "Sandbox Admin", Email: "sandbox.admin@example.com"}
	testSigner = Person{UserID: "5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b", Name: "Sample User 001", Email: "user001@example.com"}
)

func testMessage(event string) Message {
	return Message{
		Event: event, AccountID: testAccount, UserID: testSender.UserID, ConfigurationID: testConnect, Generated: testTime,
		Envelope: SampleEnvelope(testEnvelope, event, testTime, testSender, testSigner),
	}
}

// goldenCases are one message per data model, each with the settings that
// change its shape; testdata/golden/<name> holds what Build writes.
var goldenCases = []struct {
	name  string
	event string
	opts  Options
}{
	{"json-sim.json", "envelope-completed", Options{Model: JSONSIM}},
	{"json-sim-include-data.json", "recipient-completed", Options{Model: JSONSIM, IncludeData: []string{"recipients", "tabs", "custom_fields", "documents"}}},
	{"json-aggregate.json", "envelope-sent", Options{Model: JSONAggregate}},
	{"xml-aggregate.xml", "envelope-completed", Options{Model: XMLAggregate, IncludeDocuments: true, IncludeTimeZone: true}},
	{"xml-sim.xml", "envelope-voided", Options{Model: XMLSIM, IncludeVoidReason: true}},
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Build(testMessage(c.event), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.opts.Model.ContentType(); p.ContentType != want {
				t.Errorf("content type %q, want %q", p.ContentType, want)
			}
			path := filepath.Join("testdata", "golden", c.name)
			if *update {
				if err := os.WriteFile(path, append(slices.Clone(p.Body), '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./pkg/connectevent -update to write it)", err)
			}
			if got := string(p.Body) + "\n"; got != string(want) {
				t.Errorf("Build differs from %s (go test ./pkg/connectevent -update rewrites it):\ngot:  %s\nwant: %s", path, got, want)
			}
		})
	}
}

// readSample reads a file of testdata/samples.
func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shape describes a JSON value's keys (in order) and types, recursively,
// leaving the values out.
func shape(t *testing.T, data []byte) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	var b strings.Builder
	var walk func(depth int) error
	walk = func(depth int) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				b.WriteString("{")
				for dec.More() {
					k, err := dec.Token()
					if err != nil {
						return err
					}
					b.WriteString(k.(string) + ":")
					if err := walk(depth + 1); err != nil {
						return err
					}
					b.WriteString(",")
				}
				_, err = dec.Token()
				b.WriteString("}")
			case '[':
				b.WriteString("[")
				for dec.More() {
					if err := walk(depth + 1); err != nil {
						return err
					}
				}
				_, err = dec.Token()
				b.WriteString("]")
			}
			return err
		case string:
			b.WriteString("string")
		case json.Number:
			b.WriteString("number")
		case bool:
			b.WriteString("bool")
		case nil:
			b.WriteString("null")
		}
		return nil
	}
	dec.UseNumber()
	if err := walk(0); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestJSONSIMMatchesCapturedDeliveries: a JSON SIM message of a
// configuration without includeData has exactly the keys, key order and
// JSON types of the deliveries captured from DocuSign (testdata/README.md):
// configurationId and retryCount numbers, no envelopeSummary.
func TestJSONSIMMatchesCapturedDeliveries(t *testing.T) {
	p, err := Build(testMessage("envelope-completed"), Options{Model: JSONSIM})
	if err != nil {
		t.Fatal(err)
	}
	got := shape(t, p.Body)
	for _, name := range []string{"json-sim-captured-2022.json", "json-sim-captured-2026.json"} {
		if want := shape(t, readSample(t, name)); got != want {
			t.Errorf("shape differs from %s:\ngot:  %s\nwant: %s", name, got, want)
		}
	}
	// The captured generatedDateTime has seven fractional digits and a Z.
	var m map[string]any
	json.Unmarshal(p.Body, &m)
	if g := m["generatedDateTime"].(string); len(g) != len("2026-01-13T07:09:58.9584687Z") || !strings.HasSuffix(g, "Z") {
		t.Errorf("generatedDateTime %q is not in the captured form 2026-01-13T07:09:58.9584687Z", g)
	}
}

// TestDocuSignSampleAppPaths: DocuSign's own Connect listener sample
// (docusign/sample-app-myconnectwebhook-ruby, trigger_controller.rb) reads
// data.envelopeId, data.envelopeSummary.customFields.textCustomFields[].name
// and .value, and data.envelopeSummary.recipients.signers[0].email; a JSON
// SIM message with recipients and custom_fields in includeData carries each.
func TestDocuSignSampleAppPaths(t *testing.T) {
	p, err := Build(testMessage("recipient-completed"), Options{Model: JSONSIM, IncludeData: []string{"recipients", "custom_fields"}})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Event string `json:"event"`
		Data  struct {
			EnvelopeID      string `json:"envelopeId"`
			EnvelopeSummary struct {
				CustomFields struct {
					TextCustomFields []struct{ Name, Value string } `json:"textCustomFields"`
				} `json:"customFields"`
				Recipients struct {
					Signers []struct{ Email, Status string } `json:"signers"`
				} `json:"recipients"`
			} `json:"envelopeSummary"`
		} `json:"data"`
	}
	if err := json.Unmarshal(p.Body, &m); err != nil {
		t.Fatal(err)
	}
	s := m.Data.EnvelopeSummary
	if m.Event != "recipient-completed" || m.Data.EnvelopeID != testEnvelope || len(s.CustomFields.TextCustomFields) != 1 ||
		s.CustomFields.TextCustomFields[0].Name != "source" || len(s.Recipients.Signers) != 1 || s.Recipients.Signers[0].Email != testSigner.Email {
		t.Errorf("the paths DocuSign's sample listener reads are missing: %+v", m)
	}
}

// xmlChildren lists the element names directly under the first element
// named parent, in document order.
func xmlChildren(t *testing.T, data []byte, parent string) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []string
	depth, inside := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if inside && depth == 2 {
				out = append(out, e.Name.Local)
			}
			if !inside && e.Name.Local == parent {
				inside, depth = true, 1
			}
		case xml.EndElement:
			depth--
			if inside && depth == 0 {
				return out
			}
		}
	}
	return out
}

// inOrder reports whether every name of got that order lists appears in
// order's order.
func inOrder(got, order []string) bool {
	last := -1
	for _, g := range got {
		i := slices.Index(order, g)
		if i < 0 {
			continue
		}
		if i < last {
			return false
		}
		last = i
	}
	return true
}

// soapConnectOrder is the element order of EnvelopeStatus in DocuSign's
// published GetStatusInDocuSignConnectFormat answer
// (https://www.docusign.net/api/3.0/dsapi.asmx?op=GetStatusInDocuSignConnectFormat):
// "the status in DocuSign Connect format".
var soapConnectOrder = []string{"RecipientStatuses", "TimeGenerated", "EnvelopeID", "Subject", "UserName", "Email", "Status",
	"Created", "Deleted", "Sent", "Delivered", "Signed", "Completed", "Declined", "TimedOut", "ACStatus", "ACStatusDate"}

// TestXMLMatchesDocuSignShape: the XML models write DocuSignEnvelopeInformation
// in DocuSign's namespace, with EnvelopeStatus's elements in the order of
// both DocuSign's published Connect format and the captured delivery, every
// element a name the captured delivery uses, and the recipient status
// likewise.
func TestXMLMatchesDocuSignShape(t *testing.T) {
	sample := readSample(t, "xml-captured-easycla.xml")
	for _, c := range goldenCases {
		if c.opts.Model.JSON() {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			p, err := Build(testMessage(c.event), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			var root struct {
				XMLName xml.Name
			}
			if err := xml.Unmarshal(p.Body, &root); err != nil {
				t.Fatal(err)
			}
			if root.XMLName.Local != "DocuSignEnvelopeInformation" || root.XMLName.Space != "http://www.docusign.net/API/3.0" {
				t.Errorf("root %v, want DocuSignEnvelopeInformation in http://www.docusign.net/API/3.0", root.XMLName)
			}
			for _, parent := range []string{"EnvelopeStatus", "RecipientStatus", "DocuSignEnvelopeInformation", "CustomField", "DocumentStatus", "TabStatus"} {
				got, want := xmlChildren(t, p.Body, parent), xmlChildren(t, sample, parent)
				if !inOrder(got, want) {
					t.Errorf("%s children %v are not in the captured delivery's order %v", parent, got, want)
				}
				for _, g := range got {
					if !slices.Contains(want, g) && !slices.Contains([]string{"Declined", "VoidReason", "DocumentPDFs"}, g) {
						t.Errorf("%s has %s, which the captured delivery does not use", parent, g)
					}
				}
			}
			if got := xmlChildren(t, p.Body, "EnvelopeStatus"); !inOrder(got, soapConnectOrder) {
				t.Errorf("EnvelopeStatus children %v are not in DocuSign's published order %v", got, soapConnectOrder)
			}
		})
	}
}

// TestSignatureKnownAnswer: the signature of a golden message under a key
// in DocuSign's form, computed independently with
//
//	openssl dgst -sha256 -hmac "$KEY" -binary < testdata/golden/json-sim.json | base64
//
// (the golden file's trailing newline removed: the body has none); the key
// is used as its text, not base64-decoded.
func TestSignatureKnownAnswer(t *testing.T) {
	const key = "Vc2rXm0k8qj3Yl1s7vT4n9wZ6hB5dF2gJ8pQ3rS1uA0="
	body, err := os.ReadFile(filepath.Join("testdata", "golden", "json-sim.json"))
	if err != nil {
		t.Fatal(err)
	}
	body = bytes.TrimSuffix(body, []byte("\n"))
	if got, want := Signature(key, body), knownSignature; got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
	if path, err := exec.LookPath("openssl"); err == nil {
		cmd := exec.Command(path, "dgst", "-sha256", "-hmac", key, "-binary")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := Signature(key, body); got != base64Std(out) {
			t.Errorf("openssl says %s, Signature %s", base64Std(out), got)
		}
	}
}

// TestListenerVerifiesEverySignature: a listener in httptest receives the
// request NewRequest builds and checks, as the README's listener does, the
// body, the content type, basic auth, X-Authorization-Digest and every
// signature (one per key, -1..-N), each against its own key.
func TestListenerVerifiesEverySignature(t *testing.T) {
	keys := []string{"Vc2rXm0k8qj3Yl1s7vT4n9wZ6hB5dF2gJ8pQ3rS1uA0=", "second-key-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345=", "third"}
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Build(testMessage(c.event), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			var seen http.Header
			var seenBody []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r.Header.Clone()
				seenBody, _ = io.ReadAll(r.Body)
				user, pass, ok := r.BasicAuth()
				if !ok || user != "listener" || pass != "pw-9f8e" || !Verify(r.Header, seenBody, keys[:1]) {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()
			req, err := NewRequest(t.Context(), srv.URL, p, Credentials{UserName: "listener", Password: "pw-9f8e", HMACKeys: keys})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("listener answered %d", resp.StatusCode)
			}
			if !bytes.Equal(seenBody, p.Body) || seen.Get("Content-Type") != p.ContentType || seen.Get(DigestHeader) != DigestAlgorithm {
				t.Errorf("body, content type or digest header changed on the way: %q %q", seen.Get("Content-Type"), seen.Get(DigestHeader))
			}
			for i, k := range keys {
				h := http.Header{}
				h.Set(SignatureHeaderPrefix+"1", seen.Get(SignatureHeaderPrefix+strconv.Itoa(i+1)))
				if !Verify(h, seenBody, []string{k}) {
					t.Errorf("X-DocuSign-Signature-%d does not verify with key %d", i+1, i+1)
				}
			}
			if seen.Get(SignatureHeaderPrefix+"4") != "" {
				t.Errorf("a fourth signature for three keys")
			}
			if Verify(seen, append(slices.Clone(seenBody), ' '), keys) {
				t.Errorf("a changed body verifies")
			}
			if Verify(seen, seenBody, []string{"wrong-key"}) {
				t.Errorf("a wrong key verifies")
			}
		})
	}
}

func TestUnsignedAndAnonymous(t *testing.T) {
	p, _ := Build(testMessage("envelope-sent"), Options{})
	req, err := NewRequest(t.Context(), "http://127.0.0.1/", p, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Authorization") != "" || req.Header.Get(SignatureHeaderPrefix+"1") != "" || req.Header.Get(DigestHeader) != "" {
		t.Errorf("no credentials, yet headers %v", req.Header)
	}
	if s := (Credentials{UserName: "u", Password: "secret-pw", HMACKeys: []string{"secret-key"}}).String(); strings.Contains(s, "secret-pw") || strings.Contains(s, "secret-key") {
		t.Errorf("Credentials print a secret: %s", s)
	}
}

func TestModelOf(t *testing.T) {
	for _, c := range []struct {
		mode, version, format string
		want                  Model
	}{
		{"SIM", "restv2.1", "", JSONSIM},
		{"sim", "RESTv2.1", "json", JSONSIM},
		{"SIM", "restv2.1", "xml", XMLSIM},
		{"SIM", "", "", XMLSIM},
		{"SIM", "legacy", "", XMLSIM},
		{"Aggregate", "restv2.1", "", JSONAggregate},
		{"", "restv2.1", "", JSONAggregate},
		{"", "", "", XMLAggregate},
		{"aggregate", "legacy", "", XMLAggregate},
	} {
		if got := ModelOf(c.mode, c.version, c.format); got != c.want {
			t.Errorf("ModelOf(%q, %q, %q) = %s, want %s", c.mode, c.version, c.format, got, c.want)
		}
	}
}

func TestEvents(t *testing.T) {
	for _, e := range []string{"template-created", "click-agreed", "envelope-snt", ""} {
		if err := CheckEvent(e); err == nil {
			t.Errorf("CheckEvent(%q) accepted", e)
		}
		if _, err := Build(testMessage(e), Options{}); err == nil {
			t.Errorf("Build(%q) accepted", e)
		}
	}
	if LegacyStatus("envelope-completed") != "Completed" || LegacyStatus("recipient-authenticationfailed") != "AuthenticationFailed" || LegacyStatus("envelope-resent") != "" {
		t.Errorf("LegacyStatus maps wrongly")
	}
	// Every event builds in every model, and a recipient event names its recipient.
	for _, e := range Events() {
		for _, m := range []Model{JSONSIM, JSONAggregate, XMLAggregate, XMLSIM} {
			p, err := Build(testMessage(e), Options{Model: m})
			if err != nil {
				t.Fatalf("%s %s: %v", e, m, err)
			}
			if m == JSONSIM && IsRecipientEvent(e) != strings.Contains(string(p.Body), `"recipientId":"1"`) {
				t.Errorf("%s: recipientId present = %v", e, IsRecipientEvent(e))
			}
		}
	}
}

// TestLeafPackage: connectevent imports the standard library only, so the
// emulator (which imports no other connectsync package) may use it.
func TestLeafPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
			t.Errorf("connectevent imports %s: it must stay a leaf of the standard library", imp)
		}
	}
}

// knownSignature is openssl's answer for TestSignatureKnownAnswer.
const knownSignature = "NdMeISdtf5DVtTkuZRcviZhyfeFVDpAiBL084tYTyVQ="

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
