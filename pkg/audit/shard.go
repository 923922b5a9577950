package audit

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one part of a split of the accounts: Index of Count, 1-based,
// as written on the command line (--shard 2/4).
//
// An account belongs to shard FNV-1a-64(lower-case accountId) mod Count + 1.
// The rule depends on the account alone, not on which other accounts are
// listed, so shards computed by separate CI jobs never overlap and never
// miss an account, even if one job saw a slightly different account list
// (e.g. from userinfo with --all-accounts). Sizes are balanced on average.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads "I/N" with 1 ≤ I ≤ N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	index, err1 := strconv.Atoi(strings.TrimSpace(i))
	count, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %q: write I/N, e.g. 1/4 for the first of four shards", s)
	}
	if count < 1 || index < 1 || index > count {
		return Shard{}, fmt.Errorf("--shard %q: want 1 ≤ I ≤ N, e.g. 1/4 … 4/4", s)
	}
	return Shard{Index: index, Count: count}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Has reports whether the account belongs to this shard.
func (s Shard) Has(accountID string) bool {
	return ShardOf(accountID, s.Count) == s.Index
}

// ShardOf returns the shard (1…count) an account belongs to.
func ShardOf(accountID string, count int) int {
	if count <= 1 {
		return 1
	}
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(accountID)))
	return int(h.Sum64()%uint64(count)) + 1
}
