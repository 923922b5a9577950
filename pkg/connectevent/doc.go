// Package connectevent is DocuSign Connect's message format, as a listener
// receives it: the body of a post in each data model (JSON SIM restv2.1,
// JSON aggregate, XML aggregate and legacy XML SIM), its content type, the
// basic-auth header and the HMAC signatures (X-DocuSign-Signature-1..N).
//
// It is the one place connectsync writes DocuSign's delivery format, so that
// `connectsync probe` (which posts a sample event to a real listener) and the
// sandbox's deliveries (pkg/emulator) send the same thing and cannot drift
// apart. It imports nothing but the standard library, so that the emulator,
// which imports no other connectsync package, may use it: a leaf, with
// DocuSign's format only, no client and no policy. Its golden files
// (testdata/golden) pin what it writes, and testdata/samples holds
// deliveries DocuSign published or users captured, with their sources, that
// the tests compare the output's shape against (testdata/README.md).
//
// What the samples do not settle is written down as UNCONFIRMED in
// docs/docusign-fidelity.md ("Deliveries").
package connectevent
