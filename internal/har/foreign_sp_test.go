package har_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ssowiz/ssowiz/internal/har"
)

// foreignDir holds HARs that Playwright 1.65's own HAR writer (recordHar)
// recorded in headless Chromium against `ssowiz serve`, signing in to an
// app we did not write: a small SP on @node-saml/node-saml 5.1 (the probe
// in the issue; README "Test your own app"), added with --sp-metadata or a
// tenant file. The demo passwords in them belong to a tenant that no
// longer exists.
const foreignDir = "testdata/foreign-sp"

// TestAnalyzeForeignSP judges another app's flows by SAML alone, not by
// RudderStack's rules: its own start page is the start, it needs no
// RelayState, it may take an IdP-initiated sign-in, and its Reply URL
// taking Entra's response without an error is a sign-in.
func TestAnalyzeForeignSP(t *testing.T) {
	for _, tc := range []struct {
		file      string
		opts      har.Options
		outcome   string
		diagnoses []string
		text      string // must appear in the text report
		absent    []string
	}{
		{
			file: "node-saml-adele.playwright.har", outcome: har.OutcomeSignedIn,
			text:   "start                  GET  302 http://localhost:38082/login",
			absent: []string{"rudderstack.com/sso", "RelayState is missing"},
		},
		{
			// The same with the URLs given, as the README says to.
			file: "node-saml-adele.playwright.har", outcome: har.OutcomeSignedIn,
			opts: har.Options{StartURL: "http://localhost:38082/login", ACSURL: "http://localhost:38082/acs"},
		},
		{
			file: "node-saml-alex.playwright.har", outcome: har.OutcomeFailed,
			diagnoses: []string{har.DiagAADSTS}, text: "AADSTS50105",
		},
		{
			// No AuthnRequest: the app is where Entra posted, and it took
			// the unsolicited response.
			file: "node-saml-idp-initiated.playwright.har", outcome: har.OutcomeSignedIn,
			absent: []string{"another audience", "RelayState is missing", "started from Entra"},
		},
		{
			// node-saml's defaults want the whole Response signed; Entra
			// signs the assertion only by default.
			file: "node-saml-strict.playwright.har", outcome: har.OutcomeFailed,
			diagnoses: []string{har.DiagCognito},
			text:      `Signing Option: "Sign SAML response and assertion"`,
			absent:    []string{"RudderStack (Cognito) said", "RudderStack support"},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(foreignDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			check := func(t *testing.T, data []byte) {
				t.Helper()
				rep := analyzeForeign(t, data, tc.opts)
				if len(rep.Flows) != 1 || rep.Flows[0].Outcome != tc.outcome {
					t.Fatalf("flows = %+v, want one %s", outcomes(rep), tc.outcome)
				}
				if got := diagIDs(rep); !slices.Equal(got, tc.diagnoses) {
					t.Errorf("diagnoses = %v, want %v", got, tc.diagnoses)
				}
				var text bytes.Buffer
				if err := rep.WriteText(&text); err != nil {
					t.Fatal(err)
				}
				if tc.text != "" && !strings.Contains(text.String(), tc.text) {
					t.Errorf("the report lacks %q:\n%s", tc.text, text.String())
				}
				// Advice about another app never sends the admin to
				// RudderStack's guide, screens or support.
				for _, a := range append(tc.absent, "RudderStack") {
					if strings.Contains(text.String(), a) {
						t.Errorf("the report says %q:\n%s", a, text.String())
					}
				}
			}
			check(t, raw)
			t.Run("redacted", func(t *testing.T) {
				h, err := har.Read(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				har.Redact(h, har.RedactOptions{})
				var out bytes.Buffer
				if err := har.Write(&out, h); err != nil {
					t.Fatal(err)
				}
				check(t, out.Bytes())
			})
		})
	}
}

// TestAnalyzeForeignSPPostBinding: an app that sends its AuthnRequest with
// the HTTP-POST binding (an auto-posted form, node-saml's
// authnRequestBinding: "HTTP-POST") started the flow on its own page. The
// recorded Redirect-binding flow is turned into that shape: Playwright
// keeps no body of a page that navigates away at once.
func TestAnalyzeForeignSPPostBinding(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(foreignDir, "node-saml-adele.playwright.har"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := har.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	start, idp := &h.Log.Entries[0], &h.Log.Entries[1]
	u, err := url.Parse(idp.Request.URL)
	if err != nil {
		t.Fatal(err)
	}
	xml := inflateQuery(t, u.Query().Get("SAMLRequest"))
	value := base64.StdEncoding.EncodeToString(xml)
	u.RawQuery = ""
	start.Response.Status, start.Response.RedirectURL = 200, ""
	start.Response.Headers = slices.DeleteFunc(start.Response.Headers, func(nv har.NameValue) bool { return strings.EqualFold(nv.Name, "location") })
	start.Response.Content = har.Content{MimeType: "text/html", Text: `<html><body onload="document.forms[0].submit()">` +
		`<form method="post" action="` + u.String() + `"><input type="hidden" name="SAMLRequest" value="` + value + `"/></form></body></html>`}
	idp.Request.Method, idp.Request.URL, idp.Request.QueryString = "POST", u.String(), nil
	idp.Request.PostData = &har.PostData{MimeType: "application/x-www-form-urlencoded",
		Params: []har.Param{{Name: "SAMLRequest", Value: value}}, Text: "SAMLRequest=" + url.QueryEscape(value)}
	var out bytes.Buffer
	if err := har.Write(&out, h); err != nil {
		t.Fatal(err)
	}
	rep := analyzeForeign(t, out.Bytes(), har.Options{})
	if len(rep.Flows) != 1 || rep.Flows[0].Outcome != har.OutcomeSignedIn {
		t.Fatalf("flows = %+v, want one signed-in", outcomes(rep))
	}
	if got := rep.Flows[0].Steps[0]; got.Entry != 0 || !slices.Contains(got.Kinds, har.StepStart) {
		t.Errorf("first step = %+v, want the app's page (entry 0) as the start", got)
	}
	if got := diagIDs(rep); len(got) != 0 {
		t.Errorf("diagnoses = %v, want none", got)
	}
}

func analyzeForeign(t *testing.T, data []byte, opts har.Options) *har.Report {
	t.Helper()
	rep, err := har.Analyze(context.Background(), bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func outcomes(rep *har.Report) []string {
	var out []string
	for _, f := range rep.Flows {
		out = append(out, f.Outcome)
	}
	return out
}

func diagIDs(rep *har.Report) []string {
	var out []string
	for _, d := range rep.Diagnoses {
		out = append(out, d.ID)
	}
	slices.Sort(out)
	return out
}

func inflateQuery(t *testing.T, v string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
