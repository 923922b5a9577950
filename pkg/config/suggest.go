package config

import (
	"fmt"
	"strings"
)

// suggest returns the candidate closest to word, for "did you mean" hints: a
// match ignoring case or dashes wins, then the smallest edit distance if it is
// small enough to be a typo. It returns "" when nothing is close.
func suggest(word string, candidates []string) string {
	squash := func(s string) string {
		return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
	}
	for _, c := range candidates {
		if squash(c) == squash(word) {
			return c
		}
	}
	best, bestDist := "", len(word)/3+2
	for _, c := range candidates {
		if d := levenshtein(strings.ToLower(word), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Suggest returns the candidate closest to word ("" when none is close),
// for "did you mean" hints outside this package (commands, flags).
func Suggest(word string, candidates []string) string { return suggest(word, candidates) }

// didYouMean formats a hint for word: the closest candidate, or the list of
// candidates when they are few, or "" when neither helps.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	if len(candidates) > 0 && len(candidates) <= 12 {
		return "use one of " + quoteList(candidates)
	}
	return ""
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
