package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync"
)

// The state on disk is a snapshot (the state file) and a journal next to it
// (StatePath + ".journal"): an append-only log of the configuration writes
// made since the snapshot. Rewriting a 200-account state for every write
// allowed about 20 writes a second; a write now appends one record.
//
//   - A record is one line: the CRC-32 of its JSON in hex, a space, the JSON
//     (the account, the configuration stored or the connectId deleted, the
//     next connectId and a sequence number), a newline.
//   - A write is answered only once its record is on disk (written and
//     fsynced). Writes that arrive while a record is being fsynced wait and
//     are fsynced together, one fsync for the batch (group commit).
//   - If a batch cannot be written, every write not yet on disk fails
//     (500) and the state in memory goes back to what is on disk, so that
//     memory and files never disagree; the journal is cut back to its last
//     whole record.
//   - Now and then (every compactEvery records, and on open), the state is
//     written as a new snapshot (atomically, as before) that records the
//     last sequence number it holds, and the journal is emptied. A crash
//     between the two leaves records the snapshot already holds: loading
//     skips them by their sequence numbers.
//   - Loading replays the journal over the snapshot. A last record cut short
//     by a crash (no newline, or a checksum that does not match) was never
//     answered, and is ignored; a bad record before the last is an error.
//
// Other changes (new accounts, delivery logs, …) still write a whole
// snapshot, after the journal's pending records are on disk.

// compactEvery is how many records the journal holds before a snapshot.
const compactEvery = 4096

// journalRecord is one configuration write.
type journalRecord struct {
	Seq           int64          `json:"seq"`
	Account       string         `json:"account"`
	Put           *Configuration `json:"put,omitempty"`
	Delete        string         `json:"delete,omitempty"`
	NextConnectID int64          `json:"nextConnectId"`
}

// apply replays a record on a state.
func (r *journalRecord) apply(s *state) error {
	a := s.findAccount(r.Account)
	if a == nil {
		return fmt.Errorf("record %d: no account %s", r.Seq, r.Account)
	}
	switch {
	case r.Put != nil:
		if i := a.configuration(r.Put.ConnectID); i >= 0 {
			a.Configurations[i] = *r.Put
		} else {
			a.Configurations = append(a.Configurations, *r.Put)
		}
	case r.Delete != "":
		if i := a.configuration(r.Delete); i >= 0 {
			a.Configurations = append(a.Configurations[:i:i], a.Configurations[i+1:]...)
		}
	}
	s.NextConnectID = max(s.NextConnectID, r.NextConnectID)
	s.JournalSeq = r.Seq
	return nil
}

func journalPath(statePath string) string { return statePath + ".journal" }

// encodeRecord makes a record's line.
func encodeRecord(r *journalRecord) ([]byte, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	line := make([]byte, 0, len(data)+10)
	line = fmt.Appendf(line, "%08x ", crc32.ChecksumIEEE(data))
	line = append(line, data...)
	return append(line, '\n'), nil
}

// readJournal replays the journal at path over s: the records after
// s.JournalSeq, in order. A torn last record is ignored.
func readJournal(path string, s *state) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read state journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return nil // a record without its newline was cut short: never answered
		}
		if err != nil {
			return fmt.Errorf("read state journal %s: %w", path, err)
		}
		rec, bad := decodeRecord(line)
		if bad != "" {
			if _, err := r.Peek(1); errors.Is(err, io.EOF) {
				return nil // the last record, torn by a crash
			}
			return fmt.Errorf("state journal %s: record %d is damaged (%s) and more follow; move the journal aside to start from the state file alone", path, n, bad)
		}
		if rec.Seq <= s.JournalSeq {
			continue // already in the snapshot
		}
		if err := rec.apply(s); err != nil {
			return fmt.Errorf("state journal %s: %w", path, err)
		}
	}
}

// decodeRecord checks and decodes one line; bad says what is wrong.
func decodeRecord(line []byte) (rec journalRecord, bad string) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	sum, data, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(sum) != 8 {
		return rec, "no checksum"
	}
	want, err := strconv.ParseUint(string(sum), 16, 32)
	if err != nil || uint32(want) != crc32.ChecksumIEEE(data) {
		return rec, "checksum mismatch"
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, "not JSON"
	}
	return rec, ""
}

// journal appends records and makes them durable in batches.
type journal struct {
	path      string
	compactAt int // records before a snapshot: compactEvery (tests lower it)

	mu       sync.Mutex
	cond     *sync.Cond
	nextSeq  int64    // the next record's sequence number
	pending  [][]byte // records applied in memory, not yet written
	pendSeq  int64    // the sequence number of the last pending record
	flushing bool
	durable  int64    // the last sequence number on disk
	size     int64    // bytes of whole records in the file
	records  [][]byte // the records on disk since the snapshot, to roll back to
	failed   int64    // writes up to this sequence number failed
	broken   error    // a batch failed: memory must go back to disk
}

func newJournal(path string, seq int64) *journal {
	j := &journal{path: path, compactAt: compactEvery, nextSeq: seq + 1, durable: seq, pendSeq: seq, failed: seq}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// add queues a record; the caller holds e.mu, so records queue in the
// order their changes were made. It returns the record's sequence number.
func (j *journal) add(rec *journalRecord) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	rec.Seq = j.nextSeq
	line, err := encodeRecord(rec)
	if err != nil {
		return 0, err
	}
	j.nextSeq++
	j.pending = append(j.pending, line)
	j.pendSeq = rec.Seq
	return rec.Seq, nil
}

// wait returns once record seq is on disk, or with an error once it
// cannot be. The first waiter with nothing being written writes everything
// pending, for all.
func (j *journal) wait(seq int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for {
		switch {
		case j.durable >= seq:
			return nil
		case j.broken != nil || seq <= j.failed:
			if j.broken != nil {
				return errRollback
			}
			return errors.New("save emulator state: the journal could not be written")
		case !j.flushing:
			j.flushOnce()
		default:
			j.cond.Wait()
		}
	}
}

// errRollback tells a waiter that memory must go back to what is on disk
// (see Emulator.rollback) before it answers.
var errRollback = errors.New("the state journal could not be written")

// flushOnce writes and fsyncs the pending records; j.mu is held, and
// released while writing.
func (j *journal) flushOnce() {
	batch, last := j.pending, j.pendSeq
	j.pending = nil
	j.flushing = true
	j.mu.Unlock()
	n, err := appendSync(j.path, batch)
	j.mu.Lock()
	j.flushing = false
	if err != nil {
		j.broken = fmt.Errorf("save emulator state: %w", err)
		truncateTo(j.path, j.size) // cut a torn record back
	} else {
		j.durable = last
		j.size += n
		j.records = append(j.records, batch...)
	}
	j.cond.Broadcast()
}

// drain makes every pending record durable; the caller holds e.mu (so
// nothing more is added) but not j.mu.
func (j *journal) drain() error {
	j.mu.Lock()
	seq := j.pendSeq
	j.mu.Unlock()
	return j.wait(seq)
}

// appendSync appends lines to the file and fsyncs it.
func appendSync(path string, lines [][]byte) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, l := range lines {
		m, err := f.Write(l)
		n += int64(m)
		if err != nil {
			f.Close()
			return n, err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return n, err
	}
	return n, f.Close()
}

// truncateTo cuts the journal back to its whole records; if that fails
// too, loading ignores a torn last record anyway.
func truncateTo(path string, size int64) { _ = os.Truncate(path, size) }

// The Emulator's side of the journal.

// journalWrite records a configuration write made under e.mu (stored
// configuration c, or deleted connectId) and returns its sequence number,
// 0 when the state is not kept in a file.
func (e *Emulator) journalWrite(accountID string, put *Configuration, deleted string) (int64, error) {
	if e.journal == nil {
		return 0, nil
	}
	rec := &journalRecord{Account: accountID, Delete: deleted, NextConnectID: e.st.NextConnectID}
	if put != nil {
		c := put.clone()
		rec.Put = &c
	}
	seq, err := e.journal.add(rec)
	if err != nil { // the change cannot be recorded: take it back
		e.journal.mu.Lock()
		e.journal.broken = fmt.Errorf("save emulator state: %w", err)
		e.journal.mu.Unlock()
		return 0, e.rollbackLocked()
	}
	return seq, nil
}

// committed waits, without e.mu, until write seq is on disk. When it
// cannot be, the state in memory goes back to what is on disk first, and
// the write fails.
func (e *Emulator) committed(seq int64) error {
	if e.journal == nil || seq == 0 {
		return nil
	}
	err := e.journal.wait(seq)
	if errors.Is(err, errRollback) {
		e.mu.Lock()
		err = e.rollbackLocked()
		e.mu.Unlock()
		return err
	}
	if err == nil && e.journal.due() {
		e.mu.Lock()
		if e.journal.due() {
			_ = e.persist() // a snapshot now and then; on failure the journal stays
		}
		e.mu.Unlock()
	}
	return err
}

// due reports whether the journal holds enough records for a snapshot.
func (j *journal) due() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.records) >= j.compactAt
}

// rollbackLocked puts back in memory the state on disk: the last snapshot
// and the records written since. The caller holds e.mu. It returns the
// error that made it necessary.
func (e *Emulator) rollbackLocked() error {
	j := e.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	cause := j.broken
	if cause == nil {
		return errors.New("save emulator state: the journal could not be written") // another waiter put memory back already
	}
	var old state
	if err := json.Unmarshal(e.saved, &old); err == nil {
		for _, line := range j.records {
			if rec, bad := decodeRecord(line); bad == "" {
				_ = rec.apply(&old)
			}
		}
		e.st = &old
	}
	j.failed, j.pending, j.broken = j.pendSeq, nil, nil
	j.cond.Broadcast()
	return cause
}
