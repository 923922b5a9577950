package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The emulator's state: accounts with their users and configurations, the
// login users, the integration keys and the built-in sandbox integration.
//
// It lives in memory behind Emulator.mu. With Options.StatePath it is also a
// JSON file, a snapshot written with an atomic replace (temporary file in
// the same directory, fsync, rename, fsync of the directory), so a crash
// leaves either the old file or the new one, never a torn one; the
// configuration writes since the snapshot are in a journal next to it
// (journal.go). Both hold the secrets the API never answers (passwords,
// the sandbox private key), so they are written with mode 0600.

// stateVersion is the version of the state file's format.
const stateVersion = 1

// firstConnectID is where generated connectIds start: real ones are eight-digit
// numbers such as "22210641".
const firstConnectID = 22_300_000

type state struct {
	Version       int   `json:"version"`
	NextConnectID int64 `json:"nextConnectId"`
	NextEventID   int64 `json:"nextEventId,omitempty"`
	// JournalSeq is the last journal record the file holds (journal.go).
	JournalSeq      int64            `json:"journalSeq,omitempty"`
	Sandbox         sandboxKey       `json:"sandbox"`
	IntegrationKeys []IntegrationKey `json:"integrationKeys"`
	Users           []User           `json:"users"`
	Accounts        []*account       `json:"accounts"`
}

// sandboxKey is the built-in sandbox integration's private key, kept so the
// credentials survive restarts.
type sandboxKey struct {
	PrivateKeyPEM string `json:"privateKeyPem"`
}

type account struct {
	AccountID      string          `json:"accountId"`
	AccountNumber  string          `json:"accountNumber"`
	Name           string          `json:"name"`
	ConnectEnabled bool            `json:"connectEnabled"`
	OrganizationID string          `json:"organizationId,omitempty"`
	Users          []AccountUser   `json:"users"`
	Configurations []Configuration `json:"configurations"`
	// Failures and Logs are the failure log and the Connect log (delivery.go),
	// oldest first; Republishes the historical republish batches.
	Failures    []deliveryRecord  `json:"failures,omitempty"`
	Logs        []deliveryRecord  `json:"logs,omitempty"`
	Republishes []republishRecord `json:"republishes,omitempty"`
	// HMACKeys are the account's Connect HMAC keys (connect_secret.go), in
	// keyId order.
	HMACKeys []hmacKey `json:"hmacKeys,omitempty"`
}

// findAccount resolves the {accountId} of a URL: the GUID in any letter case,
// or the external account number (reference §1).
func (s *state) findAccount(id string) *account {
	for _, a := range s.Accounts {
		if strings.EqualFold(a.AccountID, id) || a.AccountNumber == id {
			return a
		}
	}
	return nil
}

func (s *state) findUser(userID string) *User {
	for i := range s.Users {
		if strings.EqualFold(s.Users[i].UserID, userID) {
			return &s.Users[i]
		}
	}
	return nil
}

func (s *state) findIntegrationKey(key string) *IntegrationKey {
	for i := range s.IntegrationKeys {
		if strings.EqualFold(s.IntegrationKeys[i].IntegrationKey, key) {
			return &s.IntegrationKeys[i]
		}
	}
	return nil
}

// newConnectID hands out the next server-generated connectId. IDs are unique
// across accounts, as DocuSign's are.
func (s *state) newConnectID() string {
	id := s.NextConnectID
	s.NextConnectID++
	return strconv.FormatInt(id, 10)
}

// member returns the account's entry for a user, or nil if the user has no access.
func (a *account) member(userID string) *AccountUser {
	for i := range a.Users {
		if strings.EqualFold(a.Users[i].UserID, userID) {
			return &a.Users[i]
		}
	}
	return nil
}

// configuration returns the index of a configuration, or -1.
func (a *account) configuration(connectID string) int {
	for i := range a.Configurations {
		if a.Configurations[i].ConnectID == connectID {
			return i
		}
	}
	return -1
}

// loadState reads a state file; ok is false when the file does not exist.
func loadState(path string) (s *state, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read state: %w", err)
	}
	s = new(state)
	if err := json.Unmarshal(b, s); err != nil {
		return nil, false, fmt.Errorf("state file %s is not valid: %w", path, err)
	}
	if s.Version != stateVersion {
		return nil, false, fmt.Errorf("state file %s has version %d, want %d", path, s.Version, stateVersion)
	}
	return s, true, nil
}

// encode serialises the state for the state file.
func (s *state) encode() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return append(b, '\n'), nil
}

// writeFileAtomic replaces path with data so that a reader or a crash sees
// either the old content or the new, never a mix.
func writeFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename is durable only once the directory entry is on disk.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
