package docusign

// When the client retries (Client.do follows these rules):
//
//	answer                               GET, PUT, DELETE        POST
//	2xx                                  done                    done (a create's needs a connectId)
//	3xx                                  *RedirectError          *RedirectError
//	401 (once, renewable token)          new token, again        new token; *OutcomeUnknownError
//	429 or *_LIMIT_EXCEEDED errorCode    wait, again             wait; *OutcomeUnknownError
//	5xx                                  back off, again         *OutcomeUnknownError
//	timeout, dropped connection          back off, again         *OutcomeUnknownError
//	connection refused, DNS failure      back off, again         back off, again (never sent)
//	not found, after a lost DELETE       success                 -
//	other 4xx, TLS errors                error                   error
//
// A POST is sent once: any answer that another try might cure ends in
// *OutcomeUnknownError, because a server can store a create and still answer
// 429, 401 or 5xx. The caller lists the account before trying again.
//
// Back-off is exponential with full jitter (a random wait between 0 and
// base*2^attempt, capped). A rate-limited answer waits at least as long as
// Retry-After says and, when the hourly budget is spent, until
// X-RateLimit-Reset; if that is longer than Options.MaxRateLimitWait the
// client gives up at once with *RateLimitError.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"time"
)

const (
	backoffBase      = 500 * time.Millisecond
	backoffCap       = 30 * time.Second
	rateLimitBackoff = 2 * time.Second // base for rate-limited answers: the burst window is 30 s
)

// backoff returns the full-jitter wait before retry number attempt (1-based).
func backoff(base time.Duration, attempt int) time.Duration {
	ceiling := backoffCap
	if attempt < 16 {
		ceiling = min(base<<attempt, backoffCap)
	}
	return rand.N(ceiling + 1)
}

// transportFailure says what a failed round trip means for a retry.
type transportFailure int

const (
	failPermanent transportFailure = iota // retrying cannot help: bad certificate, unknown host
	failNotSent                           // the request never left: safe to retry any method
	failUncertain                         // the request may have reached DocuSign
)

func classifyTransportError(err error) transportFailure {
	var (
		dnsErr   *net.DNSError
		opErr    *net.OpError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid):
		return failPermanent
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return failPermanent
		}
		return failNotSent
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return failNotSent
	}
	return failUncertain
}

// sleepCtx waits for d or until ctx is done, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// nextHour is when DocuSign's hourly window resets if it did not say: on the hour.
func nextHour(now time.Time) time.Time {
	return now.Truncate(time.Hour).Add(time.Hour)
}
