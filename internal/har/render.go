package har

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
	"github.com/ssowiz/ssowiz/internal/plural"
)

// WriteJSON writes the report in its documented JSON shape.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r, jsontext.Multiline(true), jsontext.WithIndent("  "), json.Deterministic(true), jsontext.AllowInvalidUTF8(true))
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteText writes the report for a person: each flow as a timeline, its
// SAML messages, then the problems with their remedies.
func (r *Report) WriteText(w io.Writer) error {
	p := &printer{w: w}
	desc := r.File.Creator
	if r.File.Browser != "" && r.File.Browser != r.File.Creator {
		desc += ", " + r.File.Browser
	}
	p.f("HAR %s from %s: %s, %s; %s.\n", r.File.Version, orDash(desc), plural.Of(r.File.Entries, "entry", "entries"), plural.Count(r.File.Pages, "page"), plural.Count(len(r.Flows), "SSO flow"))
	for _, fl := range r.Flows {
		p.f("\nFlow %d (%s), started %s\n", fl.Index, fl.Outcome, orDash(fl.Started))
		for _, st := range fl.Steps {
			p.f("  %+8.3fs  #%-4d %-22s %-4s %3d %s\n", float64(st.OffsetMS)/1000, st.Entry, strings.Join(st.Kinds, "+"), st.Method, st.Status, st.URL)
			if st.Location != "" {
				p.f("  %9s  %5s %-22s → %s\n", "", "", "", st.Location)
			}
			for _, e := range st.Errors {
				p.f("  %9s  %5s %-22s ! %s\n", "", "", "", e)
			}
		}
		for _, m := range fl.Messages {
			p.message(m)
		}
	}
	if len(r.Notes) > 0 {
		p.f("\nNotes:\n")
		for _, n := range r.Notes {
			p.f("  - %s\n", n)
		}
	}
	if len(r.Diagnoses) == 0 {
		p.f("\nNo problem found.\n")
		return p.err
	}
	p.f("\nProblems (%d):\n", len(r.Diagnoses))
	for _, d := range r.Diagnoses {
		where := ""
		if d.Flow > 0 {
			where = fmt.Sprintf(" flow %d", d.Flow)
		}
		p.f("\n  ✗ [%s]%s %s\n", d.ID, where, d.Title)
		p.f("    %s\n", d.Detail)
		if len(d.Entries) > 0 {
			p.f("    Seen in entries: %s\n", joinInts(d.Entries))
		}
		p.f("    Fix: %s\n", d.Remediation)
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func (p *printer) message(m Message) {
	p.f("\n  %s in entry %d (%s)", m.Param, m.Entry, strings.Join(m.FoundIn, ", "))
	if m.FormAction != "" {
		p.f(", form posts to %s", m.FormAction)
	}
	if m.RelayState {
		p.f(", RelayState %d chars", m.RelayStateLen)
	} else {
		p.f(", no RelayState")
	}
	p.f("\n")
	if m.Error != "" {
		p.f("    could not read it whole: %s\n", m.Error)
	}
	s := m.Summary
	if s == nil {
		return
	}
	p.kv("Type", s.Type)
	p.kv("ID", s.ID)
	p.kv("InResponseTo", s.InResponseTo)
	p.kv("IssueInstant", s.IssueInstant+offset(m.Timing, func(t *Timing) *float64 { return t.IssueInstant }))
	p.kv("Issuer", s.Issuer)
	p.kv("Destination", s.Destination)
	p.kv("ACS URL", s.ACSURL)
	p.kv("NameIDPolicy", s.NameIDPolicyFormat)
	if s.Status != nil {
		st := s.Status.Code
		if s.Status.SubCode != "" {
			st += " / " + s.Status.SubCode
		}
		if s.Status.Message != "" {
			st += ": " + s.Status.Message
		}
		p.kv("Status", st)
	}
	if s.EncryptedAssertions > 0 {
		p.kv("Encrypted", fmt.Sprintf("%d assertion(s), not readable here", s.EncryptedAssertions))
	}
	for _, a := range s.Assertions {
		p.kv("Assertion", a.ID)
		p.kv("  NameID", strings.TrimSpace(a.NameID+" ("+a.NameIDFormat+")"))
		p.kv("  Audience", strings.Join(a.Audiences, ", "))
		p.kv("  Recipient", a.Recipient)
		p.kv("  InResponseTo", a.SubjectInResponseTo)
		p.kv("  NotBefore", a.NotBefore+offset(m.Timing, func(t *Timing) *float64 { return t.NotBefore }))
		p.kv("  NotOnOrAfter", a.NotOnOrAfter+offset(m.Timing, func(t *Timing) *float64 { return t.NotOnOrAfter }))
		for _, at := range a.Attributes {
			p.kv("  Attribute", at.Name+" = "+strings.Join(at.Values, "; "))
		}
	}
	for _, sig := range s.Signatures {
		p.kv("Signed", describeSignature(sig))
	}
	if s.Type == "Response" && len(s.Signatures) == 0 {
		p.kv("Signed", "nothing (no XML signature)")
	}
}

func describeSignature(sig samlmsg.Signature) string {
	out := sig.Element
	if sig.ElementID != "" {
		out += " " + sig.ElementID
	}
	if sig.Certificate != nil {
		out += ", certificate thumbprint " + sig.Certificate.SHA1
		if sig.Certificate.Subject != "" {
			out += " (" + sig.Certificate.Subject + ", until " + sig.Certificate.NotAfter + ")"
		}
	}
	if i := strings.LastIndex(sig.SignatureMethod, "#"); i >= 0 {
		out += ", " + sig.SignatureMethod[i+1:]
	}
	return out
}

func (p *printer) kv(k, v string) {
	if strings.TrimSpace(v) == "" || v == "()" {
		return
	}
	p.f("    %-15s %s\n", k+":", v)
}

func offset(t *Timing, pick func(*Timing) *float64) string {
	if t == nil || pick(t) == nil {
		return ""
	}
	return fmt.Sprintf("  (%+.1fs from the browser's time)", *pick(t))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
