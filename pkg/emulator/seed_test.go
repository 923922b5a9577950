package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleSeedLoads(t *testing.T) {
	t.Parallel()
	seed, err := LoadSeed("testdata/seed.example.json")
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, Options{Seed: seed})
	// The all-digit accountId is an account number.
	if r := env.call("GET", connect("20005678"), nil); r.errorCode(t) != CodeAccountLacksPermissions {
		t.Errorf("legacy account: %d %s", r.status, r.body)
	}
	r := env.call("GET", connect("20001234"), nil)
	if r.status != 200 || r.json(t)["totalRecords"] != "4" {
		t.Errorf("example account: %d %s", r.status, r.body)
	}
	if pw, ok := env.e.StoredSecret("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "40000001", SecretPassword); !ok || pw != "listener-secret" {
		t.Errorf("seeded password: %q %v", pw, ok)
	}
	if f := env.call("GET", connect("20001234")+"/failures", nil).json(t); f["totalRecords"] != "1" {
		t.Errorf("example failure log: %v", f)
	}
	if l := env.call("GET", connect("20001234")+"/logs", nil).json(t); l["totalRecords"] != "1" {
		t.Errorf("example Connect log: %v", l)
	}
}

func TestDefaultSeedIsStable(t *testing.T) {
	t.Parallel()
	a := newEnv(t, Options{})
	b := newEnv(t, Options{})
	for _, id := range []string{AccountAcme, AccountGlobex} {
		ra, rb := a.call("GET", connect(id), nil), b.call("GET", connect(id), nil)
		if string(ra.body) != string(rb.body) {
			t.Errorf("%s differs between two fresh emulators", id)
		}
	}
}

func TestBadSeeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		seed *Seed
		want string
	}{
		{"bad account id", &Seed{Accounts: []SeedAccount{{AccountID: "acme"}}}, "must be a GUID"},
		{"duplicate account", &Seed{Accounts: []SeedAccount{{AccountID: AccountAcme}, {AccountID: AccountAcme}}}, "twice"},
		{"bad sandboxUser", &Seed{Accounts: []SeedAccount{{AccountID: AccountAcme, SandboxUser: "owner"}}}, "sandboxUser"},
		{"invalid configuration", &Seed{Accounts: []SeedAccount{{AccountID: AccountAcme, Configurations: []Configuration{{Name: "x"}}}}}, "configurationType"},
		{"duplicate connectId", &Seed{Accounts: []SeedAccount{{AccountID: AccountAcme, Configurations: []Configuration{
			{ConnectID: "5", Name: "a", ConfigurationType: "salesforce"}, {ConnectID: "5", Name: "b", ConfigurationType: "salesforce"},
		}}}}, "used twice"},
		{"bad public key", &Seed{IntegrationKeys: []IntegrationKey{{IntegrationKey: "k", PublicKeyPEM: "nope"}}}, "publicKeyPem"},
		{"consent to unknown key", &Seed{Users: []User{{UserID: SandboxUserID[:35] + "0", Consents: []string{"k"}}}}, "unknown integration key"},
		{"sandbox user again", &Seed{Users: []User{{UserID: SandboxUserID}}}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Seed: tt.seed, SandboxKey: testKey()})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadSeedRefusesUnknownKeys(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(`{"accounts":[{"accountId":"`+AccountAcme+`","nmae":"typo"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSeed(path); err == nil || !strings.Contains(err.Error(), "nmae") {
		t.Errorf("err = %v", err)
	}
}
