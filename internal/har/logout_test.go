package har_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ssowiz/ssowiz/internal/har"
)

const (
	tenantForLogout = "aaaabbbb-0000-cccc-1111-dddd2222eeee"
	cognitoLogout   = "https://auth2.rudderstack.com/saml2/logout"
)

func deflated(s string) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.DefaultCompression)
	w.Write([]byte(s))
	w.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// logoutHAR is a hand-built single sign-out, for what a browser cannot
// record against the mocks: the app's
// LogoutRequest to Entra by HTTP-Redirect, and Entra's answer (the
// LogoutResponse's auto-post page, or an error page), then the post to
// Cognito's /saml2/logout.
func logoutHAR(t *testing.T, status, errorPage string) []byte {
	t.Helper()
	req := `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_lr1" Version="2.0" IssueInstant="2027-03-02T15:04:05.000Z">` +
		`<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">urn:amazon:cognito:sp:us-east-1_ABZiTjXia</Issuer>` +
		`<NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">alice@contoso.com</NameID></samlp:LogoutRequest>`
	resp := `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_lresp" Version="2.0" IssueInstant="2027-03-02T15:04:05.300Z" ` +
		`Destination="` + cognitoLogout + `" InResponseTo="_lr1"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://login.microsoftonline.com/` +
		tenantForLogout + `/</Issuer><samlp:Status><samlp:StatusCode Value="` + status + `"/></samlp:Status></samlp:LogoutResponse>`
	b64 := base64.StdEncoding.EncodeToString([]byte(resp))
	sloURL := "https://login.microsoftonline.com/" + tenantForLogout + "/saml2?" +
		url.Values{"SAMLRequest": {deflated(req)}, "RelayState": {"opaque"}}.Encode()
	page := `<html><body><form method="POST" name="hiddenform" action="` + cognitoLogout + `"><input type="hidden" name="SAMLResponse" value="` + b64 +
		`" /><input type="hidden" name="RelayState" value="opaque" /></form></body></html>`
	if errorPage != "" {
		page = errorPage
	}
	entry := func(i int, method, u string, status int, body string, form []har.Param) har.Entry {
		e := har.Entry{StartedDateTime: "2027-03-02T15:04:0" + string(rune('5'+i)) + ".000Z",
			Request:  har.Request{Method: method, URL: u, HTTPVersion: "http/1.1", Headers: []har.NameValue{}, QueryString: []har.NameValue{}, Cookies: []har.Cookie{}},
			Response: har.Response{Status: status, Headers: []har.NameValue{}, Cookies: []har.Cookie{}, Content: har.Content{MimeType: "text/html", Text: body, Size: int64(len(body))}}}
		if form != nil {
			e.Request.PostData = &har.PostData{MimeType: "application/x-www-form-urlencoded", Params: form}
		}
		return e
	}
	h := &har.HAR{Log: har.Log{Version: "1.2", Creator: har.Creator{Name: "WebInspector", Version: "537.36"}, Entries: []har.Entry{
		entry(0, "GET", sloURL, 200, page, nil),
	}}}
	if errorPage == "" {
		h.Log.Entries = append(h.Log.Entries, entry(1, "POST", cognitoLogout, 302, "", []har.Param{{Name: "SAMLResponse", Value: b64}, {Name: "RelayState", Value: "opaque"}}))
	}
	var buf bytes.Buffer
	if err := har.Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestAnalyzeReadsSingleSignOut: the sign-out headless Chromium recorded
// (testdata/browser/single-logout.*.har: the app's Sign out, the user
// pool's signed LogoutRequest, Entra's LogoutResponse by HTTP-Redirect,
// Cognito refusing it at /saml2/logout) is one flow, read in order
// (logout, then logout-response), and diagnosed logout-response-binding
// with Cognito's page folded in, without sign-in diagnoses (no /sso
// start, no RelayState rule).
//
// The others are hand-built (logoutHAR): a LogoutResponse posted and
// accepted (Entra, and so the mock, sends it by redirect only), one with
// an error status (the mock Entra never refuses that way), and Entra's
// error page for a LogoutRequest the mock RudderStack never sends (an
// unknown Issuer). No browser can record them against the mocks.
func TestAnalyzeReadsSingleSignOut(t *testing.T) {
	for _, shape := range []string{"devtools", "playwright"} {
		raw, err := os.ReadFile(filepath.Join(browserDir, "single-logout."+shape+".har"))
		if err != nil {
			t.Fatal(err)
		}
		rep := analyzeBytes(t, raw, har.Options{})
		if len(rep.Flows) != 1 || !slices.Equal(ids(rep.Diagnoses), []string{har.DiagLogoutBinding}) {
			t.Fatalf("%s: flows %+v diagnoses %v, want one flow diagnosed %s alone", shape, rep.Flows, ids(rep.Diagnoses), har.DiagLogoutBinding)
		}
		var kinds []string
		for _, st := range rep.Flows[0].Steps {
			kinds = append(kinds, st.Kinds...)
		}
		if i, j := slices.Index(kinds, har.StepLogout), slices.Index(kinds, har.StepLogoutResponse); i < 0 || j < i {
			t.Errorf("%s: steps %v, want logout then logout-response", shape, kinds)
		}
	}

	rep := analyzeBytes(t, logoutHAR(t, "urn:oasis:names:tc:SAML:2.0:status:Success", ""), har.Options{})
	if len(rep.Flows) != 1 || rep.Flows[0].Outcome != har.OutcomeSignedOut || len(rep.Diagnoses) != 0 {
		t.Fatalf("a posted LogoutResponse: flows %+v diagnoses %+v, want one signed-out flow and no diagnosis", rep.Flows, rep.Diagnoses)
	}

	rep = analyzeBytes(t, logoutHAR(t, "urn:oasis:names:tc:SAML:2.0:status:Requester", ""), har.Options{})
	if got := ids(rep.Diagnoses); !slices.Equal(got, []string{har.DiagSAMLStatus}) {
		t.Fatalf("refused sign-out: diagnoses %v, want saml-status-error", got)
	}

	errPage := `<html><body><div id="errorMessage"><p>AADSTS700016: Application with identifier 'urn:x' was not found in the directory 'Contoso'.</p></div></body></html>`
	rep = analyzeBytes(t, logoutHAR(t, "", errPage), har.Options{})
	if len(rep.Flows) != 1 || rep.Flows[0].Outcome != har.OutcomeFailed || !slices.Equal(ids(rep.Diagnoses), []string{har.DiagAADSTS}) {
		t.Fatalf("sign-out refused by Entra: flows %+v diagnoses %v", rep.Flows, ids(rep.Diagnoses))
	}
}
