package emulator

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Seed is the initial content of a fresh emulator: accounts with their users
// and configurations, login users and integration keys. It is also the format
// of a `--seed FILE` (JSON; testdata/seed.example.json is a documented
// example). The built-in sandbox integration key and user are always added,
// whatever the seed says. A seed is read only when the state is new: an
// existing state file wins.
type Seed struct {
	// IntegrationKeys are the OAuth clients whose JWT assertions the token
	// endpoint accepts, each with the RSA public key that checks the signature.
	IntegrationKeys []IntegrationKey `json:"integrationKeys,omitempty"`
	// Users are the people who can get a token (the JWT `sub`).
	Users []User `json:"users,omitempty"`
	// Accounts are the DocuSign accounts, in the order userinfo lists them.
	Accounts []SeedAccount `json:"accounts"`
}

// IntegrationKey is an OAuth client (DocuSign "integration key") with the
// public half of its RSA key pair.
type IntegrationKey struct {
	IntegrationKey string `json:"integrationKey"`
	Name           string `json:"name,omitempty"`
	PublicKeyPEM   string `json:"publicKeyPem"`
}

// User is a person who can sign in: the `sub` of a JWT assertion and the
// subject of userinfo.
type User struct {
	UserID string `json:"userId"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	// Consents lists the integration keys this user has granted consent to;
	// a token request for any other key answers consent_required.
	Consents []string `json:"consents,omitempty"`
	// DefaultAccountID is the account userinfo marks is_default; the first
	// account the user belongs to when empty.
	DefaultAccountID string `json:"defaultAccountId,omitempty"`
}

// AccountUser is a user's membership of an account: who the Connect users
// endpoints list, and whether the user may call the API for the account.
type AccountUser struct {
	UserID   string `json:"userId"`
	UserName string `json:"userName,omitempty"`
	Email    string `json:"email,omitempty"`
	// Status is DocuSign's userStatus: Active (the default), ActivationRequired,
	// ActivationSent, Closed or Disabled.
	Status string `json:"status,omitempty"`
	// Admin marks an account administrator; the Connect endpoints refuse
	// everyone else with USER_LACKS_PERMISSIONS.
	Admin bool `json:"admin,omitempty"`
}

// SeedAccount is one account of a Seed.
type SeedAccount struct {
	// AccountID is the account GUID; an all-digit value is taken as the
	// external account number and a GUID is derived from it.
	AccountID string `json:"accountId"`
	// AccountNumber is the external account number the URL may use instead of
	// the GUID; derived from the GUID when empty.
	AccountNumber string `json:"accountNumber,omitempty"`
	Name          string `json:"name"`
	// ConnectDisabled turns Connect off for the account: every Connect call
	// then answers ACCOUNT_LACKS_PERMISSIONS.
	ConnectDisabled bool   `json:"connectDisabled,omitempty"`
	OrganizationID  string `json:"organizationId,omitempty"`
	// SandboxUser is the built-in sandbox user's access: "admin" (the
	// default), "member" (not an administrator) or "none".
	SandboxUser string `json:"sandboxUser,omitempty"`
	// Users are the account's users; login users need an entry to have access.
	Users []AccountUser `json:"users,omitempty"`
	// GenerateUsers adds this many sample users (user001, user002, ...) with
	// stable GUIDs, for pagination.
	GenerateUsers int `json:"generateUsers,omitempty"`
	// SampleConfigurations adds the sample foreign configurations: a
	// Salesforce one, an integrator-managed one and an unmanaged custom one.
	SampleConfigurations bool `json:"sampleConfigurations,omitempty"`
	// HMACKeys are the account's Connect HMAC keys, in keyId order, as
	// DocuSign shows a key when it is made (they sign every post of a
	// configuration with includeHMAC).
	HMACKeys []string `json:"hmacKeys,omitempty"`
	// Configurations exist before any call. connectId is generated when
	// empty; defaults are filled in as on a create.
	Configurations []Configuration `json:"configurations,omitempty"`
	// Failures are the failure log's entries and Logs the Connect log's
	// (logs only of configurations with enableLog, as at DocuSign).
	Failures []SeedDelivery `json:"failures,omitempty"`
	Logs     []SeedDelivery `json:"logs,omitempty"`
}

// SeedDelivery is a Connect post of a seed: a failure-log or Connect-log entry.
type SeedDelivery struct {
	// Configuration is the name of the account's configuration the post went
	// through; or give its ConnectID.
	Configuration string `json:"configuration,omitempty"`
	ConnectID     string `json:"connectId,omitempty"`
	EnvelopeID    string `json:"envelopeId"`
	// Status is the envelope status posted (Sent, Completed...).
	Status   string `json:"status,omitempty"`
	Error    string `json:"error,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Email    string `json:"email,omitempty"`
	UserName string `json:"userName,omitempty"`
	// Ago is how long before the state is made the post was first made, e.g.
	// "3h", "90m" or "2d"; or give Created (RFC 3339). Both empty: now.
	Ago     string `json:"ago,omitempty"`
	Created string `json:"created,omitempty"`
	// RetryCount is how often DocuSign retried a failure; LastTryAgo when
	// it last tried (default: when it was first made).
	RetryCount int    `json:"retryCount,omitempty"`
	LastTryAgo string `json:"lastTryAgo,omitempty"`
}

// Fixed identities of the default seed and of the built-in sandbox integration.
const (
	// SandboxIntegrationKey is the built-in integration key. Its key pair is
	// generated once per state and its private key is in SandboxCredentials.
	SandboxIntegrationKey = "5c1a2e3f-7b4d-4e8a-9f60-3d2b1c0a9e87"
	// SandboxUserID is the built-in user: consent given to the sandbox
	// integration key, administrator of the default seed's reachable accounts
	// and of every account EnsureAccount creates.
	SandboxUserID = "0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19"
	// NoConsentUserID is a default-seed user, administrator of AccountAcme,
	// who never granted consent: a token request for him answers consent_required.
	NoConsentUserID = "a7b6c5d4-e3f2-4a1b-8c9d-0e1f2a3b4c5d"

	// AccountAcme is the sandbox user's default account: 242 users (three
	// pages at the default count) and a Salesforce, an integrator-managed and
	// an ordinary custom configuration.
	AccountAcme = "e1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b"
	// AccountGlobex has a customrecipient configuration for chosen users and
	// a JSON SIM configuration with a password and an OAuth client secret,
	// and one HMAC key, GlobexHMACKey.
	AccountGlobex = "b2c3d4e5-f6a7-4b80-9c1d-2e3f4a5b6c7d"
	// GlobexHMACKey is AccountGlobex's HMAC key, published like the rest of
	// the sandbox: it signs nothing that leaves the machine.
	GlobexHMACKey = "c2FuZGJveC1nbG9iZXgtaG1hYy1rZXktMDAwMDAwMDA="
	// AccountInitech has Connect disabled.
	AccountInitech = "c3d4e5f6-a7b8-4c91-8d2e-3f4a5b6c7d8e"
	// AccountUmbrella has the sandbox user as a member who is not an administrator.
	AccountUmbrella = "d4e5f6a7-b8c9-4da2-9e3f-4a5b6c7d8e9f"
	// AccountHooli exists but the sandbox user is not a member of it.
	AccountHooli = "f5a6b7c8-d9e0-4fb3-8a4b-5c6d7e8f9a0b"
)

// DefaultSeed returns the realistic seed a new emulator starts from when
// Options.Seed is nil. Each call returns a fresh value.
func DefaultSeed() *Seed {
	return &Seed{
		Users: []User{{
			UserID: NoConsentUserID,
			Name:   "Nora Noconsent",
			Email:  "nora.noconsent@acme.example.com",
		}},
		Accounts: []SeedAccount{
			{
				AccountID:      AccountAcme,
				AccountNumber:  "18204415",
				Name:           "Acme Corp (demo)",
				OrganizationID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
				Users: []AccountUser{
					{UserID: NoConsentUserID, Admin: true},
				},
				GenerateUsers:        240,
				SampleConfigurations: true,
				// The legacy listener is down: two posts wait in the failure log.
				Failures: []SeedDelivery{
					{
						Configuration: "Legacy order webhook", EnvelopeID: "4b7e1c2a-9d3f-4e6b-8a1c-2f3e4d5c6b7a", Status: "Completed",
						Error:   "The remote server returned an error: (503) Server Unavailable.",
						Subject: "Please sign: order 1041", UserName: "Sample User 001", Email: "user001.18204415@example.com",
						Ago: "26h", RetryCount: 7, LastTryAgo: "40m",
					},
					{
						Configuration: "Legacy order webhook", EnvelopeID: "7c2d9e4f-1a3b-4c5d-8e6f-9a0b1c2d3e4f", Status: "Sent",
						Error:   "Unable to connect to the remote server",
						Subject: "Please sign: order 1042", UserName: "Sample User 002", Email: "user002.18204415@example.com",
						Ago: "3h", RetryCount: 2, LastTryAgo: "25m",
					},
				},
			},
			{
				AccountID:     AccountGlobex,
				AccountNumber: "18204416",
				Name:          "Globex Sandbox",
				GenerateUsers: 12,
				// Its JSON SIM configuration has includeHMAC: the posts are signed.
				HMACKeys: []string{GlobexHMACKey},
				Configurations: []Configuration{
					{
						Name:                 "Globex signer updates",
						ConfigurationType:    "customrecipient",
						URLToPublishTo:       "https://hooks.globex.example.com/docusign/recipients",
						AllowEnvelopePublish: True,
						UserIDs: []string{
							generatedUserID(AccountGlobex, 1),
							generatedUserID(AccountGlobex, 2),
							generatedUserID(AccountGlobex, 3),
						},
						DeliveryMode:    "Aggregate",
						RecipientEvents: []string{"Sent", "Completed", "Declined"},
						EnableLog:       True,
						UserName:        "globex-listener",
						Password:        "globex-listener-password",
					},
					{
						Name:                 "Globex JSON SIM",
						ConfigurationType:    "custom",
						URLToPublishTo:       "https://hooks.globex.example.com/docusign/sim",
						AllowEnvelopePublish: True,
						AllUsers:             True,
						DeliveryMode:         "SIM",
						Events:               []string{"envelope-sent", "envelope-completed"},
						EventData:            &EventData{Version: "restv2.1", IncludeData: []string{"recipients"}},
						IncludeHMAC:          True,
						EnableLog:            True,
						IncludeOAuth:         True,
						OAuthConfiguration: &OAuthConfiguration{
							AuthorizationServerURL: "https://auth.globex.example.com/oauth/token",
							ClientID:               "globex-connect",
							ClientSecret:           "globex-oauth-client-secret",
							Scope:                  "webhooks",
						},
					},
				},
				// Logging is on for both: the recent posts went through.
				Logs: []SeedDelivery{
					{Configuration: "Globex JSON SIM", EnvelopeID: "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", Status: "Sent", Subject: "NDA for review", Ago: "5h"},
					{Configuration: "Globex JSON SIM", EnvelopeID: "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", Status: "Completed", Subject: "NDA for review", Ago: "2h"},
				},
			},
			{
				AccountID:       AccountInitech,
				AccountNumber:   "18204417",
				Name:            "Initech (Connect disabled)",
				ConnectDisabled: true,
				GenerateUsers:   3,
			},
			{
				AccountID:     AccountUmbrella,
				AccountNumber: "18204418",
				Name:          "Umbrella (sandbox user is not an administrator)",
				SandboxUser:   "member",
				GenerateUsers: 3,
				Configurations: []Configuration{{
					Name:              "Umbrella webhook",
					ConfigurationType: "custom",
					URLToPublishTo:    "https://hooks.umbrella.example.com/docusign",
					AllUsers:          True,
					EnvelopeEvents:    []string{"Completed"},
				}},
			},
			{
				AccountID:     AccountHooli,
				AccountNumber: "18204419",
				Name:          "Hooli (sandbox user has no access)",
				SandboxUser:   "none",
				GenerateUsers: 3,
				Configurations: []Configuration{{
					Name:              "Hooli webhook",
					ConfigurationType: "custom",
					URLToPublishTo:    "https://hooks.hooli.example.com/docusign",
					AllUsers:          True,
					EnvelopeEvents:    []string{"Completed"},
				}},
			},
		},
	}
}

// sampleConfigurations are the foreign configurations of SeedAccount.SampleConfigurations
// (the default seed's AccountAcme, and every account EnsureAccount creates),
// so that a plan shows both ignored and unmanaged ones: a Salesforce one and
// an integrator-managed one (never touched by connectsync), and an ordinary
// custom one nobody manages.
func sampleConfigurations(accountNumber string) []Configuration {
	return []Configuration{
		{
			Name:                   "DocuSign for Salesforce",
			ConfigurationType:      "salesforce",
			URLToPublishTo:         "https://login.salesforce.com/services/Soap/u/59.0",
			AllowEnvelopePublish:   True,
			AllUsers:               True,
			AllowSalesforcePublish: True,
			SalesforceAPIVersion:   "59.0",
			SalesforceAuthcode:     "sample-salesforce-authcode",
			EnvelopeEvents:         []string{"Sent", "Delivered", "Completed", "Declined", "Voided"},
			RecipientEvents:        []string{"Sent", "Delivered", "Completed", "Declined"},
			IncludeDocuments:       True,
		},
		{
			Name:                 "Integrator webhook",
			ConfigurationType:    "custom",
			URLToPublishTo:       "https://hooks.integrator.example.net/docusign/" + accountNumber,
			AllowEnvelopePublish: True,
			AllUsers:             True,
			DeliveryMode:         "SIM",
			Events:               []string{"envelope-sent", "envelope-completed", "envelope-declined"},
			EventData:            &EventData{Version: "restv2.1", IncludeData: []string{"recipients"}},
			IncludeHMAC:          True,
			IntegratorManaged:    True,
		},
		{
			Name:                 "Legacy order webhook",
			ConfigurationType:    "custom",
			URLToPublishTo:       "http://legacy.example.com/docusign/connect",
			AllowEnvelopePublish: True,
			AllUsers:             True,
			DeliveryMode:         "Aggregate",
			EnvelopeEvents:       []string{"Sent", "Completed"},
			IncludeDocuments:     True,
		},
	}
}

// LoadSeed reads a seed file. Unknown keys are errors, so a typo in a seed
// does not silently produce a different emulator.
func LoadSeed(path string) (*Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s Seed
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return &s, nil
}

// sandboxUser is the built-in login user.
func sandboxUser() User {
	return User{
		UserID:   SandboxUserID,
		Name:     "Sandbox Admin",
		Email:    "sandbox.admin@example.com",
		Consents: []string{SandboxIntegrationKey},
	}
}

// newState builds a fresh state from a seed and the sandbox key pair.
// now dates the seed's relative times (SeedDelivery.Ago).
func newState(seed *Seed, key *rsa.PrivateKey, now time.Time) (*state, error) {
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("sandbox public key: %w", err)
	}
	st := &state{
		Version:       stateVersion,
		NextConnectID: firstConnectID,
		Sandbox: sandboxKey{PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{
			Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key),
		}))},
		IntegrationKeys: []IntegrationKey{{
			IntegrationKey: SandboxIntegrationKey,
			Name:           "connectsync sandbox",
			PublicKeyPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		}},
		Users: []User{sandboxUser()},
	}
	var errs []error
	for _, k := range seed.IntegrationKeys {
		if err := st.addIntegrationKey(k); err != nil {
			errs = append(errs, err)
		}
	}
	for _, u := range seed.Users {
		if err := st.addUser(u); err != nil {
			errs = append(errs, err)
		}
	}
	for _, a := range seed.Accounts {
		if err := st.addAccount(a, now); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return st, nil
}

func (s *state) addIntegrationKey(k IntegrationKey) error {
	if k.IntegrationKey == "" {
		return errors.New("integration key with an empty integrationKey")
	}
	if s.findIntegrationKey(k.IntegrationKey) != nil {
		return fmt.Errorf("integration key %s listed twice", k.IntegrationKey)
	}
	if _, err := jwt.ParseRSAPublicKeyFromPEM([]byte(k.PublicKeyPEM)); err != nil {
		return fmt.Errorf("integration key %s: publicKeyPem: %w", k.IntegrationKey, err)
	}
	s.IntegrationKeys = append(s.IntegrationKeys, k)
	return nil
}

func (s *state) addUser(u User) error {
	if !isGUID(u.UserID) {
		return fmt.Errorf("user %q: userId must be a GUID", u.UserID)
	}
	if s.findUser(u.UserID) != nil {
		return fmt.Errorf("user %s listed twice", u.UserID)
	}
	for _, k := range u.Consents {
		if s.findIntegrationKey(k) == nil {
			return fmt.Errorf("user %s: consent to unknown integration key %s", u.UserID, k)
		}
	}
	s.Users = append(s.Users, u)
	return nil
}

// addAccount expands a seed account (sandbox user, generated users,
// configuration defaults) into the state.
func (s *state) addAccount(sa SeedAccount, now time.Time) error {
	a := &account{
		AccountID:      sa.AccountID,
		AccountNumber:  sa.AccountNumber,
		Name:           sa.Name,
		ConnectEnabled: !sa.ConnectDisabled,
		OrganizationID: sa.OrganizationID,
	}
	if isAccountNumber(a.AccountID) {
		a.AccountNumber, a.AccountID = a.AccountID, stableGUID("account", a.AccountID)
	}
	if !isGUID(a.AccountID) {
		return fmt.Errorf("account %q: accountId must be a GUID or an account number", sa.AccountID)
	}
	if a.AccountNumber == "" {
		a.AccountNumber = derivedAccountNumber(a.AccountID)
	}
	if !isAccountNumber(a.AccountNumber) {
		return fmt.Errorf("account %s: accountNumber %q must be digits", a.AccountID, a.AccountNumber)
	}
	if s.findAccount(a.AccountID) != nil || s.findAccount(a.AccountNumber) != nil {
		return fmt.Errorf("account %s (%s) listed twice", a.AccountID, a.AccountNumber)
	}
	if a.Name == "" {
		a.Name = "Account " + a.AccountNumber
	}
	switch sa.SandboxUser {
	case "", "admin":
		a.Users = append(a.Users, AccountUser{UserID: SandboxUserID, Admin: true})
	case "member":
		a.Users = append(a.Users, AccountUser{UserID: SandboxUserID})
	case "none":
	default:
		return fmt.Errorf("account %s: sandboxUser %q must be admin, member or none", a.AccountID, sa.SandboxUser)
	}
	for _, u := range sa.Users {
		if a.member(u.UserID) != nil {
			return fmt.Errorf("account %s: user %s listed twice", a.AccountID, u.UserID)
		}
		if !isGUID(u.UserID) {
			return fmt.Errorf("account %s: userId %q must be a GUID", a.AccountID, u.UserID)
		}
		a.Users = append(a.Users, u)
	}
	for i := 1; i <= sa.GenerateUsers; i++ {
		a.Users = append(a.Users, generatedUser(a.AccountID, a.AccountNumber, i))
	}
	for i := range a.Users {
		s.completeMember(&a.Users[i])
	}
	configs := sa.Configurations
	if sa.SampleConfigurations {
		configs = append(sampleConfigurations(a.AccountNumber), configs...)
	}
	for _, c := range configs {
		if err := s.addSeedConfiguration(a, c); err != nil {
			return err
		}
	}
	for _, k := range sa.HMACKeys {
		if len(k) < 16 {
			return fmt.Errorf("account %s: HMAC key %q is too short (DocuSign's have 44 characters)", a.AccountID, k)
		}
		a.HMACKeys = append(a.HMACKeys, hmacKey{Secret: k, Created: now.UTC()})
	}
	for _, d := range sa.Failures {
		r, err := s.seedRecord(a, d, "failure", now)
		if err != nil {
			return err
		}
		a.Failures = append(a.Failures, r)
	}
	for _, d := range sa.Logs {
		r, err := s.seedRecord(a, d, "log", now)
		if err != nil {
			return err
		}
		if c := &a.Configurations[a.configuration(r.ConnectID)]; c.EnableLog != True {
			return fmt.Errorf("account %s: log entry of %q: the configuration has enableLog off, so DocuSign would log nothing", a.AccountID, c.Name)
		}
		a.Logs = append(a.Logs, r)
	}
	slices.SortStableFunc(a.Failures, func(x, y deliveryRecord) int { return x.Created.Compare(y.Created) })
	slices.SortStableFunc(a.Logs, func(x, y deliveryRecord) int { return x.Created.Compare(y.Created) })
	s.Accounts = append(s.Accounts, a)
	return nil
}

// seedRecord turns a seed's post into a stored failure or log entry.
func (s *state) seedRecord(a *account, d SeedDelivery, kind string, now time.Time) (deliveryRecord, error) {
	where := fmt.Sprintf("account %s: %s of envelope %q", a.AccountID, kind, d.EnvelopeID)
	if !isGUID(d.EnvelopeID) {
		return deliveryRecord{}, fmt.Errorf("%s: envelopeId must be a GUID", where)
	}
	i := -1
	switch {
	case d.ConnectID != "":
		i = a.configuration(d.ConnectID)
	case d.Configuration != "":
		for j, c := range a.Configurations {
			if c.Name == d.Configuration {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return deliveryRecord{}, fmt.Errorf("%s: no configuration %q (connectId %q) in the account", where, d.Configuration, d.ConnectID)
	}
	created := now
	switch {
	case d.Ago != "" && d.Created != "":
		return deliveryRecord{}, fmt.Errorf("%s: give ago or created, not both", where)
	case d.Ago != "":
		ago, err := parseAgo(d.Ago)
		if err != nil {
			return deliveryRecord{}, fmt.Errorf("%s: ago: %w", where, err)
		}
		created = now.Add(-ago)
	case d.Created != "":
		t, err := time.Parse(time.RFC3339Nano, d.Created)
		if err != nil {
			return deliveryRecord{}, fmt.Errorf("%s: created %q: want an RFC 3339 time such as 2026-11-01T08:00:00Z", where, d.Created)
		}
		created = t.UTC()
	}
	lastTry := created
	if d.LastTryAgo != "" {
		ago, err := parseAgo(d.LastTryAgo)
		if err != nil {
			return deliveryRecord{}, fmt.Errorf("%s: lastTryAgo: %w", where, err)
		}
		lastTry = now.Add(-ago)
	}
	if lastTry.Before(created) || d.RetryCount < 0 {
		return deliveryRecord{}, fmt.Errorf("%s: lastTryAgo is before the post, or retryCount is negative", where)
	}
	r := newRecord(s.newEventID(kind), &a.Configurations[i], Delivery{
		EnvelopeID: d.EnvelopeID, Status: d.Status, Error: d.Error, Subject: d.Subject, Email: d.Email, UserName: d.UserName,
	}, created)
	r.LastTry, r.RetryCount = lastTry, d.RetryCount
	return r, nil
}

// parseAgo reads a duration such as 90m, 3h or 2d (days are 24 hours).
func parseAgo(s string) (time.Duration, error) {
	var d time.Duration
	rest := strings.TrimSpace(s)
	if days, after, ok := strings.Cut(rest, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q: want a duration such as 90m, 3h or 2d", s)
		}
		d, rest = time.Duration(n)*24*time.Hour, after
	}
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("%q: want a duration such as 90m, 3h or 2d", s)
		}
		d += more
	}
	if d < 0 {
		return 0, fmt.Errorf("%q: want a duration that is not negative", s)
	}
	return d, nil
}

// completeMember fills an account user's name and e-mail from the login user
// and defaults the status.
func (s *state) completeMember(m *AccountUser) {
	if u := s.findUser(m.UserID); u != nil {
		if m.UserName == "" {
			m.UserName = u.Name
		}
		if m.Email == "" {
			m.Email = u.Email
		}
	}
	if m.Status == "" {
		m.Status = "Active"
	}
}

func (s *state) addSeedConfiguration(a *account, c Configuration) error {
	c = c.clone()
	c.fillDefaults()
	if err := validate(&c); err != nil {
		return fmt.Errorf("account %s: configuration %q: %s", a.AccountID, c.Name, err.Message)
	}
	if c.ConnectID == "" {
		c.ConnectID = s.newConnectID()
	} else {
		n, err := strconv.ParseInt(c.ConnectID, 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("account %s: configuration %q: connectId %q must be a positive number", a.AccountID, c.Name, c.ConnectID)
		}
		for _, other := range s.Accounts {
			if other.configuration(c.ConnectID) >= 0 {
				return fmt.Errorf("account %s: connectId %s is used twice", a.AccountID, c.ConnectID)
			}
		}
		if a.configuration(c.ConnectID) >= 0 {
			return fmt.Errorf("account %s: connectId %s is used twice", a.AccountID, c.ConnectID)
		}
		// Generated ids must never collide with pinned ones.
		s.NextConnectID = max(s.NextConnectID, n+1)
	}
	a.Configurations = append(a.Configurations, c)
	return nil
}

// generatedUser is the i-th sample user of an account, stable across runs.
func generatedUser(accountID, accountNumber string, i int) AccountUser {
	status := "Active"
	switch {
	case i%50 == 0:
		status = "Closed"
	case i%20 == 0:
		status = "ActivationSent"
	}
	return AccountUser{
		UserID:   generatedUserID(accountID, i),
		UserName: fmt.Sprintf("Sample User %03d", i),
		Email:    fmt.Sprintf("user%03d.%s@example.com", i, accountNumber),
		Status:   status,
	}
}

// generatedUserID is the GUID of the i-th generated user of an account.
func generatedUserID(accountID string, i int) string {
	return stableGUID("user", strings.ToLower(accountID), strconv.Itoa(i))
}

// stableGUID derives a version-4-shaped GUID from its parts, so seeded ids
// are the same on every run.
func stableGUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// derivedAccountNumber is an eight-digit external account number for a GUID.
func derivedAccountNumber(accountID string) string {
	sum := sha256.Sum256([]byte("number\x00" + strings.ToLower(accountID)))
	return strconv.FormatUint(10_000_000+uint64(binary.BigEndian.Uint32(sum[:4]))%90_000_000, 10)
}

// isGUID reports whether s has the 8-4-4-4-12 hexadecimal form.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

func isAccountNumber(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
