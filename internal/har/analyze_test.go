package har_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
)

// scenario is a fixture and what the analysis must find in it: exactly
// these diagnosis IDs, so each diagnosis is found for its reason and not
// otherwise.
type scenario struct {
	name    string
	flow    hartest.Flow
	opts    har.Options
	want    []string
	code    string // the first diagnosis' Code, when it matters
	outcome string
}

func metadataA() []*samlmsg.Certificate {
	certs, err := har.ParseMetadataCerts(hartest.KeyA().Metadata(hartest.Tenant))
	if err != nil {
		panic(err)
	}
	return certs
}

func scenarios() []scenario {
	return []scenario{
		{name: "success", flow: hartest.Flow{Noise: 12}, outcome: har.OutcomeSignedIn},
		{name: "success with base64 pages", flow: hartest.Flow{Base64Pages: true, Noise: 4}, outcome: har.OutcomeSignedIn},
		{name: "success with response signed", flow: hartest.Flow{SignResponse: true}, outcome: har.OutcomeSignedIn},
		{name: "success with the metadata's certificate", flow: hartest.Flow{}, opts: har.Options{MetadataCerts: metadataA()}, outcome: har.OutcomeSignedIn},
		{name: "certificate not in metadata", flow: hartest.Flow{Signer: hartest.KeyB()}, opts: har.Options{MetadataCerts: metadataA()},
			want: []string{har.DiagCertificate}, outcome: har.OutcomeSignedIn},
		{name: "other certificate without metadata", flow: hartest.Flow{Signer: hartest.KeyB()}, outcome: har.OutcomeSignedIn},
		{name: "not started at sso", flow: hartest.Flow{NoStartAtSSO: true}, want: []string{har.DiagNotAtSSO}, outcome: har.OutcomeSignedIn},
		{name: "idp-initiated", flow: hartest.Flow{IdPInitiated: true}, want: []string{har.DiagIdPInitiated}, outcome: har.OutcomeFailed},
		{name: "idp-initiated without relay state", flow: hartest.Flow{IdPInitiated: true, NoRelayState: true},
			want: []string{har.DiagIdPInitiated, har.DiagRelayState}, outcome: har.OutcomeFailed},
		{name: "relay state missing", flow: hartest.Flow{NoRelayState: true}, want: []string{har.DiagRelayState}, outcome: har.OutcomeFailed},
		{name: "AADSTS50011 reply url", flow: hartest.Flow{EntraError: "50011"}, want: []string{har.DiagAADSTS}, code: "AADSTS50011", outcome: har.OutcomeFailed},
		{name: "AADSTS700016 identifier", flow: hartest.Flow{EntraError: "700016"}, want: []string{har.DiagAADSTS}, code: "AADSTS700016", outcome: har.OutcomeFailed},
		{name: "AADSTS50105 not assigned", flow: hartest.Flow{EntraError: "50105", Base64Pages: true}, want: []string{har.DiagAADSTS}, code: "AADSTS50105", outcome: har.OutcomeFailed},
		{name: "AADSTS50126 password", flow: hartest.Flow{EntraError: "50126"}, want: []string{har.DiagAADSTS}, code: "AADSTS50126", outcome: har.OutcomeFailed},
		{name: "AADSTS in a SAML status", flow: hartest.Flow{StatusError: "AADSTS75011: Authentication method 'X509' by which the user authenticated with the service doesn't match requested authentication method 'Password'."},
			want: []string{har.DiagAADSTS}, code: "AADSTS75011", outcome: har.OutcomeIncomplete},
		{name: "cognito error", flow: hartest.Flow{CognitoError: "Invalid SAML response received: SAML Assertion signature is invalid."},
			want: []string{har.DiagCognito}, outcome: har.OutcomeFailed},
		{name: "reply url with trailing slash", flow: hartest.Flow{ReplyURL: hartest.ACSURL + "/"},
			want: []string{har.DiagReplyURL}, outcome: har.OutcomeFailed},
		{name: "wrong audience", flow: hartest.Flow{Audience: "urn:amazon:cognito:sp:us-east-1_Wrong1234"}, want: []string{har.DiagAudience}, outcome: har.OutcomeSignedIn},
		{name: "missing Email", flow: hartest.Flow{OmitAttributes: []string{"Email"}}, want: []string{har.DiagMissingAttribute}, code: "Email", outcome: har.OutcomeSignedIn},
		{name: "LastName missing with Cognito's message", flow: hartest.Flow{OmitAttributes: []string{"LastName"},
			CognitoError: "Invalid SAML response received: Invalid user attributes: family_name: The attribute is required"},
			want: []string{har.DiagMissingAttribute}, code: "LastName", outcome: har.OutcomeFailed},
		{name: "email in lower case", flow: hartest.Flow{RenameAttributes: map[string]string{"Email": "email"}}, want: []string{har.DiagMissingAttribute}, code: "Email", outcome: har.OutcomeSignedIn},
		{name: "clock skew", flow: hartest.Flow{Skew: 10 * time.Minute, CognitoError: "Invalid SAML response received: SAML assertion is not yet valid"},
			want: []string{har.DiagClockSkew}, outcome: har.OutcomeFailed},
		{name: "clock skew that did no harm is a note", flow: hartest.Flow{Skew: 10 * time.Minute}, outcome: har.OutcomeSignedIn},
		{name: "small skew is fine", flow: hartest.Flow{Skew: 90 * time.Second}, outcome: har.OutcomeSignedIn},
		{name: "expired assertion", flow: hartest.Flow{PostDelay: 2 * time.Hour, CognitoError: "Invalid SAML response received: SAML assertion has expired"},
			want: []string{har.DiagExpired}, outcome: har.OutcomeFailed},
		{name: "cognito error without a finding of ours", flow: hartest.Flow{CognitoError: "Invalid SAML response received: SAML assertion has already been used"},
			want: []string{har.DiagCognito}, outcome: har.OutcomeFailed},
		{name: "truncated response form", flow: hartest.Flow{TruncateResponseForm: true}, want: []string{har.DiagIncomplete}, outcome: har.OutcomeIncomplete},
	}
}

func analyzeBytes(t *testing.T, b []byte, opts har.Options) *har.Report {
	t.Helper()
	rep, err := har.Analyze(context.Background(), bytes.NewReader(b), opts)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return rep
}

func ids(ds []har.Diagnosis) []string {
	out := []string{}
	for _, d := range ds {
		if !slices.Contains(out, d.ID) {
			out = append(out, d.ID)
		}
	}
	sort.Strings(out)
	return out
}

func TestAnalyzeDiagnoses(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			rep := analyzeBytes(t, sc.flow.Bytes(), sc.opts)
			want := append([]string{}, sc.want...)
			sort.Strings(want)
			if got := ids(rep.Diagnoses); !slices.Equal(got, want) {
				for _, d := range rep.Diagnoses {
					t.Logf("%s: %s", d.ID, d.Detail)
				}
				t.Fatalf("diagnoses = %v, want %v", got, want)
			}
			if len(rep.Flows) != 1 {
				t.Fatalf("flows = %d, want 1", len(rep.Flows))
			}
			if got := rep.Flows[0].Outcome; got != sc.outcome {
				t.Errorf("outcome = %q, want %q", got, sc.outcome)
			}
			if rep.Problem != (len(sc.want) > 0) {
				t.Errorf("problem = %v with diagnoses %v", rep.Problem, sc.want)
			}
			if sc.code != "" {
				found := false
				for _, d := range rep.Diagnoses {
					found = found || d.Code == sc.code
				}
				if !found {
					t.Errorf("no diagnosis with code %q in %+v", sc.code, rep.Diagnoses)
				}
			}
			for _, d := range rep.Diagnoses {
				if d.Remediation == "" || d.Title == "" || d.Detail == "" {
					t.Errorf("diagnosis %s lacks text: %+v", d.ID, d)
				}
			}
		})
	}
}

// Firefox's export conventions (offsets, percent-encoded form values,
// capitalised headers, no Chrome extras) change no diagnosis.
func TestAnalyzeFirefoxExports(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := har.Write(&buf, hartest.Firefox(sc.flow.Build())); err != nil {
				t.Fatal(err)
			}
			chrome := analyzeBytes(t, sc.flow.Bytes(), sc.opts)
			firefox := analyzeBytes(t, buf.Bytes(), sc.opts)
			if !slices.Equal(ids(chrome.Diagnoses), ids(firefox.Diagnoses)) || len(firefox.Flows) != 1 || firefox.Flows[0].Outcome != chrome.Flows[0].Outcome {
				t.Errorf("Firefox: %v %d flows; Chrome: %v", ids(firefox.Diagnoses), len(firefox.Flows), ids(chrome.Diagnoses))
			}
			if firefox.File.Browser != "Firefox 128.0" {
				t.Errorf("browser = %q", firefox.File.Browser)
			}
		})
	}
}

func TestAnalyzeRemediationNamesTheField(t *testing.T) {
	tests := []struct {
		flow hartest.Flow
		want []string
	}{
		{hartest.Flow{EntraError: "50011"}, []string{"Basic SAML Configuration", "Reply URL", hartest.ACSURL}},
		{hartest.Flow{EntraError: "700016"}, []string{"Identifier (Entity ID)", hartest.EntityID}},
		{hartest.Flow{EntraError: "50105"}, []string{"Users and groups"}},
		{hartest.Flow{OmitAttributes: []string{"Email"}}, []string{"Attributes & Claims", `"Email"`, "user.mail"}},
		{hartest.Flow{IdPInitiated: true}, []string{"Sign on URL", hartest.StartURL}},
		{hartest.Flow{Audience: "urn:x"}, []string{"Identifier (Entity ID)", hartest.EntityID}},
		{hartest.Flow{ReplyURL: hartest.ACSURL + "/"}, []string{"Reply URL", hartest.ACSURL + `/"`, "An error was encountered"}},
		{hartest.Flow{Skew: 10 * time.Minute, CognitoError: "Invalid SAML response received: SAML assertion is not yet valid"}, []string{"clock", "not yet valid"}},
	}
	for _, tt := range tests {
		rep := analyzeBytes(t, tt.flow.Bytes(), har.Options{})
		text := ""
		for _, d := range rep.Diagnoses {
			text += d.Detail + "\n" + d.Remediation + "\n"
		}
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%+v: diagnosis text lacks %q:\n%s", tt.flow, w, text)
			}
		}
	}
}

func TestAnalyzeFindsTheFlowAmongMany(t *testing.T) {
	// A failed attempt, then a good one a minute later, in one capture.
	failed := hartest.Flow{EntraError: "50126", Noise: 10}.Build()
	good := hartest.Flow{Base: time.Date(2027, 3, 2, 15, 5, 30, 0, time.UTC), Noise: 10}.Build()
	failed.Log.Entries = append(failed.Log.Entries, good.Log.Entries...)
	var buf bytes.Buffer
	if err := har.Write(&buf, failed); err != nil {
		t.Fatal(err)
	}
	rep := analyzeBytes(t, buf.Bytes(), har.Options{})
	if len(rep.Flows) != 2 {
		t.Fatalf("flows = %d, want 2", len(rep.Flows))
	}
	if rep.Flows[0].Outcome != har.OutcomeFailed || rep.Flows[1].Outcome != har.OutcomeSignedIn {
		t.Errorf("outcomes = %s, %s", rep.Flows[0].Outcome, rep.Flows[1].Outcome)
	}
	if got := ids(rep.Diagnoses); !slices.Equal(got, []string{har.DiagAADSTS}) || rep.Diagnoses[0].Flow != 1 {
		t.Errorf("diagnoses = %+v", rep.Diagnoses)
	}
	if rep.File.Examined >= rep.File.Entries {
		t.Errorf("examined %d of %d entries; the noise should be skipped unread", rep.File.Examined, rep.File.Entries)
	}
}

func TestAnalyzeNoFlow(t *testing.T) {
	h := hartest.Flow{Noise: 20}.Build()
	var noise []har.Entry
	for _, e := range h.Log.Entries {
		if strings.Contains(e.Request.URL, "/static/") || strings.Contains(e.Request.URL, "cdn.") || strings.Contains(e.Request.URL, "/workspaces/") {
			noise = append(noise, e)
		}
	}
	h.Log.Entries = noise
	var buf bytes.Buffer
	if err := har.Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	rep := analyzeBytes(t, buf.Bytes(), har.Options{})
	if got := ids(rep.Diagnoses); !slices.Equal(got, []string{har.DiagNoFlow}) || len(rep.Flows) != 0 {
		t.Fatalf("diagnoses = %v, flows = %d", got, len(rep.Flows))
	}
}

func TestAnalyzeNotAHAR(t *testing.T) {
	for _, in := range []string{"", "not json", "[]", `{"foo":1}`, `{"log":{}}`, `{"log":{"entries":{}}}`, `{"log":{"entries":[1]}}`, `{"log":{"entries":[`} {
		_, err := har.Analyze(context.Background(), strings.NewReader(in), har.Options{})
		if !errors.Is(err, har.ErrNotHAR) {
			t.Errorf("Analyze(%q) = %v, want ErrNotHAR", in, err)
		}
	}
}

func TestAnalyzeSummaries(t *testing.T) {
	rep := analyzeBytes(t, hartest.Flow{}.Bytes(), har.Options{})
	fl := rep.Flows[0]
	var req, resp *har.Message
	for i := range fl.Messages {
		switch fl.Messages[i].Param {
		case "SAMLRequest":
			req = &fl.Messages[i]
		case "SAMLResponse":
			resp = &fl.Messages[i]
		}
	}
	if req == nil || resp == nil {
		t.Fatalf("messages = %+v", fl.Messages)
	}
	if req.Summary.ID != hartest.RequestID || req.Summary.ACSURL != hartest.ACSURL || req.Summary.Issuer != hartest.EntityID {
		t.Errorf("request summary = %+v", req.Summary)
	}
	for _, w := range []string{"location", "query", "referer"} {
		if !slices.Contains(req.FoundIn, w) {
			t.Errorf("request found in %v, want %s too", req.FoundIn, w)
		}
	}
	s := resp.Summary
	if s.InResponseTo != hartest.RequestID || len(s.Assertions) != 1 {
		t.Fatalf("response summary = %+v", s)
	}
	a := s.Assertions[0]
	if a.NameID != hartest.UserUPN || a.Audiences[0] != hartest.EntityID || a.Recipient != hartest.ACSURL {
		t.Errorf("assertion = %+v", a)
	}
	if len(s.Signatures) != 1 || s.Signatures[0].Element != "Assertion" || s.Signatures[0].Certificate == nil {
		t.Fatalf("signatures = %+v", s.Signatures)
	}
	if want := metadataA()[0].SHA1; s.Signatures[0].Certificate.SHA1 != want {
		t.Errorf("thumbprint = %s, want %s", s.Signatures[0].Certificate.SHA1, want)
	}
	if resp.Timing == nil || resp.Timing.NotBefore == nil || *resp.Timing.NotBefore > -299 || *resp.Timing.NotBefore < -301 {
		t.Errorf("timing = %+v, want NotBefore about -300 s", resp.Timing)
	}
	if !resp.RelayState || resp.FormAction != hartest.ACSURL {
		t.Errorf("relay state %v, form action %q", resp.RelayState, resp.FormAction)
	}
}

func TestAnalyzeOutputHidesSecrets(t *testing.T) {
	rep := analyzeBytes(t, hartest.Flow{}.Bytes(), har.Options{})
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{text.String(), js.String()} {
		for _, s := range []string{hartest.SecretCode, hartest.SecretState, hartest.SecretRelay, hartest.SecretPasswd} {
			if strings.Contains(out, s) {
				t.Errorf("analysis output shows the secret %q", s)
			}
		}
	}
}

func TestAnalyzeIgnoresWhatIsNotASignInToTheApp(t *testing.T) {
	h := hartest.Flow{}.Build()
	// The app's /sso again with the domain, as a second step of the start.
	again := h.Log.Entries[0]
	again.Request.URL += "?domain=contoso.com"
	// The admin signing in to the Azure portal in the same capture.
	portal := h.Log.Entries[3]
	portal.Request.URL = "https://login.microsoftonline.com/common/login"
	portal.Response.Content = har.Content{MimeType: "text/html", Text: "<html>portal</html>"}
	portal.StartedDateTime = "2027-03-02T16:00:00.000Z"
	h.Log.Entries = append([]har.Entry{h.Log.Entries[0], again}, append(h.Log.Entries[1:], portal)...)
	var buf bytes.Buffer
	if err := har.Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	rep := analyzeBytes(t, buf.Bytes(), har.Options{})
	if len(rep.Flows) != 1 || rep.Flows[0].Outcome != har.OutcomeSignedIn || rep.Problem {
		t.Errorf("flows = %d, problem %v: %+v", len(rep.Flows), rep.Problem, rep.Diagnoses)
	}
	if n := len(rep.Flows[0].Steps); n < 2 || rep.Flows[0].Steps[1].Kinds[0] != har.StepStart {
		t.Errorf("the second /sso is not part of the flow: %+v", rep.Flows[0].Steps)
	}
}

// TestLocationOnlyOnRedirects: a Location header on a response that is not
// a redirect (chrome-har writes one) draws no redirect arrow.
func TestLocationOnlyOnRedirects(t *testing.T) {
	h := hartest.Flow{}.Build()
	marked := -1
	for i := range h.Log.Entries {
		e := &h.Log.Entries[i]
		if e.Response.Status == 200 && strings.HasSuffix(e.Request.URL, "/sso") {
			e.Response.Headers = append(e.Response.Headers, har.NameValue{Name: "location", Value: "https://app.rudderstack.com/elsewhere"})
			e.Response.RedirectURL = "https://app.rudderstack.com/elsewhere"
			marked = i
		}
	}
	if marked < 0 {
		t.Fatal("the fixture has no 200 /sso page")
	}
	var buf bytes.Buffer
	if err := har.Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	rep := analyzeBytes(t, buf.Bytes(), har.Options{})
	for _, st := range rep.Flows[0].Steps {
		if st.Entry == marked && st.Location != "" {
			t.Fatalf("entry %d (status %d) has a redirect arrow to %s", marked, st.Status, st.Location)
		}
	}
	if rep.Flows[0].Outcome != har.OutcomeSignedIn {
		t.Fatalf("outcome %s", rep.Flows[0].Outcome)
	}
}

// TestAADSTSMessageWhole: the message is limited after its HTML entities
// are decoded, and never cut inside a word.
func TestAADSTSMessageWhole(t *testing.T) {
	rep := analyzeBytes(t, hartest.Flow{EntraError: "50105"}.Bytes(), har.Options{})
	msg := hartest.EntraMessage("50105")
	if len(rep.Diagnoses) == 0 || !strings.HasSuffix(rep.Diagnoses[0].Detail, msg) {
		t.Fatalf("the diagnosis does not end with Entra's whole message %q: %+v", msg, rep.Diagnoses)
	}
}

// TestTheSignOnURLHasOneStory: no diagnosis tells the admin to change the
// Sign on URL away from RudderStack's guide (the Reply URL); those about a
// sign-in started from Entra say to keep it and start at /sso, as the
// wizard and `ssowiz check` do.
func TestTheSignOnURLHasOneStory(t *testing.T) {
	for _, sc := range scenarios() {
		rep := analyzeBytes(t, sc.flow.Bytes(), sc.opts)
		for _, fl := range rep.Flows {
			for _, d := range fl.Diagnoses {
				if strings.Contains(d.Remediation, "Sign on URL to") || strings.Contains(d.Remediation, "Sign on URL: set") {
					t.Errorf("%s: %s advises another Sign on URL: %s", sc.name, d.ID, d.Remediation)
				}
				if d.ID == har.DiagIdPInitiated && !strings.Contains(d.Remediation, "Sign on URL as RudderStack's guide says") {
					t.Errorf("%s: %s lacks the guide's Sign on URL and the My Apps caveat: %s", sc.name, d.ID, d.Remediation)
				}
			}
		}
	}
}
