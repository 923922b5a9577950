package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/connectsync/connectsync/pkg/connectevent"
	"github.com/connectsync/connectsync/pkg/docusign"
	"github.com/connectsync/connectsync/pkg/listener"
	"github.com/connectsync/connectsync/pkg/render"
)

// probe: post the message Connect would send through one configuration to
// its listener, signed and authenticated as DocuSign would, and say how the
// listener answered.

const (
	flagEvent       = "event"
	flagEnvelopeID  = "envelope-id"
	flagHMACKeyEnv  = "hmac-key-env"
	flagDryRun      = "dry-run"
	flagTimeout     = "timeout"
	defaultHMACEnv  = "CONNECT_HMAC_KEY"
	defaultEvent    = "envelope-completed"
	certWarningDays = 30
)

type probeOptions struct {
	commonOptions
	Target      configSelector
	Event       string
	EnvelopeID  string
	HMACKeyEnvs []string
	DryRun      bool
	Timeout     time.Duration
}

func probeCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "probe",
		Usage: "send a sample event to a configuration's listener, as DocuSign would, and report its answer",
		Description: `Reads the live configuration --name (or --connect-id, where several
share the name) of the account, builds the message Connect would send for
--event (default envelope-completed) in the configuration's data model
(JSON SIM, JSON aggregate, XML) with its eventData.includeData, and posts
it to urlToPublishTo: with basic auth from
its userName and the files' password (DocuSign never returns it), and,
when includeHMAC is on, X-DocuSign-Signature-1..N: the base64 HMAC-SHA256
of the raw body under each key, used as written (not decoded). The keys
come from the environment: CONNECT_HMAC_KEY by default, or each
--hmac-key-env NAME (repeatable, one key per variable, in keyId order).

Prints the status, the latency and, for https, the certificate's issuer
and expiry (a warning when it expires within 30 days). TLS is always
verified; plain http is allowed, with a warning. --dry-run prints the
request instead, secrets masked. A password or key is never printed.

Exit codes: 0 the listener answered 2xx (or --dry-run), 1 any other answer,
no answer within --timeout (DocuSign waits 100 s), a TLS failure or a
usage error.`,
		Flags: append(apiFlags(),
			&cli.StringFlag{Name: flagName, Usage: "the configuration to probe (this or --connect-id is required)"},
			connectIDFlag(),
			&cli.StringFlag{Name: flagEvent, Value: defaultEvent, Usage: "the JSON SIM event to send: " + strings.Join(connectevent.Events(), ", ")},
			&cli.StringFlag{Name: flagEnvelopeID, Usage: "the envelope id the message names (default: a new random GUID)"},
			&cli.StringSliceFlag{Name: flagHMACKeyEnv, Usage: "a variable holding an HMAC key of the account (repeatable, in keyId order; default CONNECT_HMAC_KEY)"},
			&cli.BoolFlag{Name: flagDryRun, Usage: "print the request (secrets masked) instead of sending it"},
			&cli.DurationFlag{Name: flagTimeout, Value: 100 * time.Second, Usage: "give up on the listener after this long (DocuSign waits 100 s)"}),
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, env)
			if err != nil {
				return err
			}
			return runProbe(c.Context, probeOptions{commonOptions: common, Target: selectorOf(c), Event: c.String(flagEvent),
				EnvelopeID: c.String(flagEnvelopeID), HMACKeyEnvs: c.StringSlice(flagHMACKeyEnv), DryRun: c.Bool(flagDryRun), Timeout: c.Duration(flagTimeout)}, env)
		},
	}
}

// probeTarget is everything a probe sends, read and checked before it is sent.
type probeTarget struct {
	alias, accountID string
	cfg              docusign.Configuration
	url              *url.URL
	creds            connectevent.Credentials
	keyNames         []string // the variables the keys came from, for --dry-run
	payload          connectevent.Payload
	model            connectevent.Model
	envelopeID       string
}

func runProbe(ctx context.Context, o probeOptions, env Env) error {
	s, err := openSession(ctx, o.commonOptions, env)
	if err != nil {
		return err
	}
	defer s.Close()
	if !o.Target.given() {
		return usageError("name the configuration to probe: connectsync probe --account ALIAS --name CONFIG (or --connect-id ID)")
	}
	if err := connectevent.CheckEvent(o.Event); err != nil {
		return usageError("--event: " + err.Error())
	}
	if o.Timeout <= 0 {
		return usageError(fmt.Sprintf("--timeout must be positive, e.g. 30s (got %s)", o.Timeout))
	}
	t, err := prepareProbe(ctx, s, o, env)
	if err != nil {
		return err
	}
	secrets := append([]string{t.creds.Password}, t.creds.HMACKeys...)
	red := newValueRedactor(secrets)
	shown := red(docusign.RedactText(t.url.String()))
	if o.DryRun {
		printRequest(env, t, red)
		return nil
	}

	req, err := connectevent.NewRequest(ctx, t.url.String(), t.payload, t.creds)
	if err != nil {
		return fmt.Errorf("probe %s: %w", shown, err)
	}
	auth := "no basic auth"
	if t.creds.UserName != "" {
		auth = fmt.Sprintf("basic auth as %q", t.creds.UserName)
	}
	fmt.Fprintf(env.Stdout, "POST %s\n  %s, %s, envelope %s, %d signatures, %s\n", render.Terminal(shown), t.model, o.Event, t.envelopeID, len(t.creds.HMACKeys), render.Terminal(auth))
	res, err := listener.Post(listener.Client(o.Timeout, nil), req)
	if err != nil {
		var te *listener.TLSError
		switch {
		case errors.As(err, &te) && te.Cert != nil:
			return fmt.Errorf("the listener's TLS certificate does not verify (%s, issuer %s, expires %s): %s", render.Terminal(te.Cert.Subject),
				render.Terminal(te.Cert.Issuer), te.Cert.NotAfter.UTC().Format("2006-01-02 15:04 UTC"), red(te.Err.Error()))
		case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
			return fmt.Errorf("no answer from the listener within %s (DocuSign waits 100 s, then counts a failure)", o.Timeout)
		}
		return fmt.Errorf("the listener could not be reached: %s", red(docusign.RedactText(err.Error())))
	}
	fmt.Fprintf(env.Stdout, "%d %s in %d ms\n", res.Status, statusText(res.Status), res.Latency.Milliseconds())
	if res.TLS != nil {
		days := int(time.Until(res.TLS.NotAfter).Hours() / 24)
		fmt.Fprintf(env.Stdout, "TLS: %s, issued by %s, expires %s (in %d days)\n", render.Terminal(res.TLS.Subject), render.Terminal(res.TLS.Issuer),
			res.TLS.NotAfter.UTC().Format("2006-01-02 15:04 UTC"), days)
		if res.TLS.ExpiresWithin(time.Now(), certWarningDays*24*time.Hour) {
			fmt.Fprintf(env.Stderr, "warning: the listener's certificate expires in %d days (%s): renew it before DocuSign's posts fail\n", days, res.TLS.NotAfter.UTC().Format("2006-01-02"))
		}
	}
	if res.OK() {
		return nil
	}
	msg := fmt.Sprintf("the listener answered %d %s", res.Status, statusText(res.Status))
	switch {
	case res.Location != "":
		msg += fmt.Sprintf(", a redirect to %s (DocuSign does not follow redirects: publish to the final URL)", render.Terminal(red(docusign.RedactText(res.Location))))
	case res.Status == 401 || res.Status == 403:
		msg += ": check the configuration's userName and password, and the HMAC keys the listener verifies with"
	case res.Body != "":
		msg += ": " + render.Terminal(red(docusign.RedactText(res.Body)))
	}
	return &exitError{code: ExitError, msg: msg + "; DocuSign would count the post as failed"}
}

// prepareProbe reads the configuration, its password and the keys, and
// builds the message.
func prepareProbe(ctx context.Context, s *session, o probeOptions, env Env) (probeTarget, error) {
	a, err := oneAccount(s, "probe")
	if err != nil {
		return probeTarget{}, err
	}
	list, err := s.api.ListConfigurations(ctx, a.AccountID)
	if err != nil {
		return probeTarget{}, fmt.Errorf("account %s: %w", a.Alias, err)
	}
	cfg, err := o.Target.find(a.Alias, list)
	if err != nil {
		return probeTarget{}, err
	}
	t := probeTarget{alias: a.Alias, accountID: a.AccountID, cfg: cfg}
	name := cfg.Name
	if cfg.ConfigurationType != "custom" && cfg.ConfigurationType != "customrecipient" {
		return t, usageError(fmt.Sprintf("%q is a %s configuration: probe sends the messages of custom and customrecipient configurations only", name, cfg.ConfigurationType))
	}
	t.url, err = url.Parse(cfg.URLToPublishTo)
	if err != nil || t.url.Host == "" || (t.url.Scheme != "https" && t.url.Scheme != "http") {
		return t, usageError(fmt.Sprintf("%q publishes to %q, which is not an http(s) URL: DocuSign cannot deliver to it either", name, docusign.RedactText(cfg.URLToPublishTo)))
	}
	if t.url.Scheme == "http" {
		fmt.Fprintf(env.Stderr, "warning: %q publishes over plain http: DocuSign's posts (and their basic auth) cross the network in clear\n", name)
	}

	// The password: DocuSign never returns it, so it comes from the files.
	t.creds.UserName = cfg.UserName
	if d, ok := fileEntry(s.desired.ForAccount(a.Alias), list, cfg); ok {
		if _, declared := d.Fields["password"]; declared {
			t.creds.Password = d.String("password")
			if t.creds.Password == "" {
				return t, usageError(fmt.Sprintf("the files set the password of %q from an environment variable that is empty or unset: set it (as for apply) to probe with basic auth", name))
			}
		}
	}
	if t.creds.UserName != "" && t.creds.Password == "" {
		fmt.Fprintf(env.Stderr, "warning: %q authenticates as %q, but the files give no password (DocuSign never returns it): the probe sends an empty password\n", name, t.creds.UserName)
	}

	// The keys, from the environment, in keyId order.
	names := o.HMACKeyEnvs
	explicit := len(names) > 0
	if !explicit {
		names = []string{defaultHMACEnv}
	}
	var keys []string
	for _, n := range names {
		v, ok := env.LookupEnv(n)
		v = strings.TrimSpace(v)
		if !ok || v == "" {
			if explicit {
				return t, usageError(fmt.Sprintf("--hmac-key-env %s: the variable is unset or empty; set it to an HMAC key of the account (as DocuSign showed it when it was made)", n))
			}
			continue
		}
		keys, t.keyNames = append(keys, v), append(t.keyNames, n)
	}
	hmacOn := cfg.IncludeHMAC != nil && bool(*cfg.IncludeHMAC)
	switch {
	case hmacOn && len(keys) == 0:
		fmt.Fprintf(env.Stderr, "warning: %q has includeHMAC on, but no key is given: the probe is not signed; set %s (or --hmac-key-env NAME) to the account's key\n", name, defaultHMACEnv)
	case !hmacOn && len(keys) > 0:
		fmt.Fprintf(env.Stderr, "warning: %q has includeHMAC off, so DocuSign signs nothing: the probe is not signed either\n", name)
		keys, t.keyNames = nil, nil
	}
	t.creds.HMACKeys = keys

	if why := wouldNotSend(cfg, o.Event); why != "" {
		fmt.Fprintf(env.Stderr, "warning: DocuSign would not send %s through %q (%s); sending it anyway\n", o.Event, name, why)
	}
	t.envelopeID = o.EnvelopeID
	if t.envelopeID == "" {
		t.envelopeID = randomGUID()
	} else if !isGUID(t.envelopeID) {
		return t, usageError(fmt.Sprintf("--envelope-id %q is not an envelope id: DocuSign envelope ids are GUIDs such as 93be49ab-1c2d-4e5f-8a9b-f752070d71ec", t.envelopeID))
	}
	t.model, t.payload, err = buildMessage(a.AccountID, cfg, o.Event, t.envelopeID)
	return t, err
}

// probeSender and probeSigner are the people of a probe's sample envelope.
var (
	probeSender = connectevent.Person{UserID: "00000000-0000-4000-8000-000000000001", Name: "connectsync probe", Email: "probe@connectsync.invalid"}
	probeSigner = connectevent.Person{UserID: "00000000-0000-4000-8000-000000000002", Name: "Sample Signer", Email: "signer@connectsync.invalid"}
)

// buildMessage writes the message a configuration would send for an event.
func buildMessage(accountID string, cfg docusign.Configuration, event, envelopeID string) (connectevent.Model, connectevent.Payload, error) {
	var version, format string
	var includeData []string
	if cfg.EventData != nil {
		version, format, includeData = cfg.EventData.Version, cfg.EventData.Format, cfg.EventData.IncludeData
	}
	model := connectevent.ModelOf(cfg.DeliveryMode, version, format)
	now := time.Now()
	p, err := connectevent.Build(connectevent.Message{
		Event: event, AccountID: accountID, UserID: probeSender.UserID, ConfigurationID: cfg.ConnectID, Generated: now,
		Envelope: connectevent.SampleEnvelope(envelopeID, event, now, probeSender, probeSigner),
	}, connectevent.Options{Model: model, IncludeData: includeData, IncludeDocuments: isTrue(cfg.IncludeDocuments),
		IncludeTimeZone: isTrue(cfg.IncludeTimeZoneInformation), IncludeVoidReason: isTrue(cfg.IncludeEnvelopeVoidReason)})
	return model, p, err
}

func isTrue(b *docusign.Bool) bool { return b != nil && bool(*b) }

// wouldNotSend says why DocuSign would not send an event through a
// configuration (its event lists, its switch), "" when it would.
func wouldNotSend(cfg docusign.Configuration, event string) string {
	if !isTrue(cfg.AllowEnvelopePublish) {
		return "allowEnvelopePublish is off"
	}
	var version, format string
	if cfg.EventData != nil {
		version, format = cfg.EventData.Version, cfg.EventData.Format
	}
	if connectevent.ModelOf(cfg.DeliveryMode, version, format) == connectevent.JSONSIM {
		if !slices.Contains(cfg.Events, event) {
			return "it is not in its events"
		}
		return ""
	}
	status, list, field := connectevent.LegacyStatus(event), cfg.EnvelopeEvents, "envelopeEvents"
	if connectevent.IsRecipientEvent(event) {
		list, field = cfg.RecipientEvents, "recipientEvents"
	}
	if status == "" || !slices.Contains(list, status) {
		return fmt.Sprintf("its model fires on %s, which do not hold %q", field, cmpOr(status, event))
	}
	return ""
}

// printRequest shows what a probe would send, secrets masked.
func printRequest(env Env, t probeTarget, red func(string) string) {
	w := env.Stdout
	fmt.Fprintf(w, "POST %s\n", render.Terminal(red(docusign.RedactText(t.url.String()))))
	fmt.Fprintf(w, "Content-Type: %s\n", t.payload.ContentType)
	if t.creds.UserName != "" {
		fmt.Fprintf(w, "Authorization: Basic REDACTED (user %q, password %s)\n", t.creds.UserName, map[bool]string{true: "from the files", false: "empty"}[t.creds.Password != ""])
	}
	for i := range t.creds.HMACKeys {
		fmt.Fprintf(w, "%s%d: REDACTED (base64 HMAC-SHA256 of the body with the key in $%s)\n", connectevent.SignatureHeaderPrefix, i+1, t.keyNames[i])
	}
	if len(t.creds.HMACKeys) > 0 {
		fmt.Fprintf(w, "%s: %s\n", connectevent.DigestHeader, connectevent.DigestAlgorithm)
	}
	fmt.Fprintf(w, "\n%s\n", render.Terminal(red(string(t.payload.Body))))
}

// newValueRedactor replaces each secret value (4 characters or more) in a text.
func newValueRedactor(secrets []string) func(string) string {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= 4 {
			pairs = append(pairs, s, "REDACTED")
		}
	}
	r := strings.NewReplacer(pairs...)
	return r.Replace
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "(unknown status)"
}

// randomGUID is a new version-4 GUID.
func randomGUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
