package har_test

import (
	"bytes"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/ssowiz/ssowiz/internal/har"
	"github.com/ssowiz/ssowiz/internal/har/hartest"
	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
)

func redacted(t *testing.T, f hartest.Flow, opts har.RedactOptions) ([]byte, har.Counts) {
	t.Helper()
	h, err := har.Read(bytes.NewReader(f.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	counts := har.Redact(h, opts)
	var buf bytes.Buffer
	if err := har.Write(&buf, h); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), counts
}

// samlXML decodes every SAML message a HAR carries anywhere (query
// strings, bodies, forms), so a test can look inside them.
func samlXML(t *testing.T, b []byte) []string {
	t.Helper()
	h, err := har.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	add := func(v string) {
		if x, _, err := samlmsg.Decode(v); err == nil {
			out = append(out, string(x))
		}
	}
	fromURL := func(raw string) {
		if u, err := url.Parse(raw); err == nil {
			for _, p := range []string{"SAMLRequest", "SAMLResponse"} {
				if v := u.Query().Get(p); v != "" {
					add(v)
				}
			}
		}
	}
	for _, e := range h.Log.Entries {
		fromURL(e.Request.URL)
		fromURL(e.Response.RedirectURL)
		for _, hd := range append(append([]har.NameValue{}, e.Request.Headers...), e.Response.Headers...) {
			fromURL(hd.Value)
		}
		if e.Request.PostData != nil {
			for _, p := range e.Request.PostData.Params {
				if strings.HasPrefix(p.Name, "SAML") {
					add(p.Value)
				}
			}
			if v, err := url.ParseQuery(e.Request.PostData.Text); err == nil {
				add(v.Get("SAMLResponse"))
			}
		}
		body, _ := e.Response.Content.Body()
		if i := bytes.Index(body, []byte(`name="SAMLResponse" value="`)); i >= 0 {
			rest := body[i+len(`name="SAMLResponse" value="`):]
			if j := bytes.IndexByte(rest, '"'); j >= 0 {
				add(string(rest[:j]))
			}
		}
	}
	return out
}

func TestRedactRemovesPlantedSecretsAndKeepsDiagnoses(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			orig := sc.flow.Bytes()
			out, counts := redacted(t, sc.flow, har.RedactOptions{})
			secrets := append(hartest.Secrets(), hartest.UserUPN, hartest.UserName)
			for _, s := range secrets {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("redacted HAR still holds %q", s)
				}
			}
			xmls := samlXML(t, out)
			if len(xmls) < len(samlXML(t, orig)) {
				t.Errorf("redaction lost SAML messages: %d of %d decode", len(xmls), len(samlXML(t, orig)))
			}
			for _, x := range xmls {
				for _, s := range append(secrets, hartest.KeyA().CertBase64()[:40], hartest.Tenant[:0]+"aaaaaaaa-0000-1111") {
					if strings.Contains(x, s) {
						t.Errorf("a redacted SAML message still holds %q", s)
					}
				}
			}
			if counts.Total() == 0 {
				t.Error("nothing counted")
			}
			before := analyzeBytes(t, orig, sc.opts)
			after := analyzeBytes(t, out, sc.opts)
			if !slices.Equal(ids(before.Diagnoses), ids(after.Diagnoses)) {
				t.Errorf("diagnoses changed: %v before, %v after", ids(before.Diagnoses), ids(after.Diagnoses))
			}
			for i := range before.Diagnoses {
				if i < len(after.Diagnoses) && before.Diagnoses[i].Code != after.Diagnoses[i].Code {
					t.Errorf("diagnosis %d code %q became %q", i, before.Diagnoses[i].Code, after.Diagnoses[i].Code)
				}
			}
			if len(before.Flows) != len(after.Flows) || len(before.Flows) > 0 && before.Flows[0].Outcome != after.Flows[0].Outcome {
				t.Errorf("flows changed")
			}
		})
	}
}

func TestRedactCountsByKind(t *testing.T) {
	_, counts := redacted(t, hartest.Flow{}, har.RedactOptions{})
	for _, k := range []string{har.KindCookie, har.KindSetCookie, har.KindAuthorization, har.KindPAT, har.KindOAuthCode,
		har.KindOAuthState, har.KindOAuthToken, har.KindPassword, har.KindUsername, har.KindRelayState, har.KindEntraToken,
		samlmsg.KindNameID, samlmsg.KindAttribute, samlmsg.KindSignature, samlmsg.KindCertificate} {
		if counts[k] == 0 {
			t.Errorf("no %s counted; counts = %v", k, counts)
		}
	}
	var buf bytes.Buffer
	if err := counts.WriteText(&buf); err != nil || !strings.Contains(buf.String(), "total") {
		t.Errorf("WriteText = %q, %v", buf.String(), err)
	}
}

func TestRedactKeep(t *testing.T) {
	out, counts := redacted(t, hartest.Flow{}, har.RedactOptions{Keep: []string{"RelayState", "passwd", "Email"}})
	if !bytes.Contains(out, []byte(url.QueryEscape(hartest.SecretRelay))) && !bytes.Contains(out, []byte(hartest.SecretRelay)) {
		t.Error("--keep RelayState did not keep it")
	}
	if !bytes.Contains(out, []byte(hartest.SecretPasswd)) {
		t.Error("--keep passwd did not keep it")
	}
	if bytes.Contains(out, []byte(hartest.SecretCookie)) {
		t.Error("a field not kept survived")
	}
	if counts[har.KindRelayState] != 0 || counts[har.KindPassword] != 0 {
		t.Errorf("kept fields counted: %v", counts)
	}
	kept := false
	for _, x := range samlXML(t, out) {
		kept = kept || strings.Contains(x, "<AttributeValue>"+hartest.UserUPN+"</AttributeValue>")
		if strings.Contains(x, "<AttributeValue>"+hartest.UserName+"</AttributeValue>") {
			t.Error("LastName was not asked to be kept but survived")
		}
	}
	if !kept {
		t.Error("--keep Email did not keep the Email attribute's value")
	}
}

func TestRedactIsIdempotent(t *testing.T) {
	out, _ := redacted(t, hartest.Flow{}, har.RedactOptions{})
	h, err := har.Read(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if again := har.Redact(h, har.RedactOptions{}); again.Total() != 0 {
		t.Errorf("a second redaction masked %v", again)
	}
}

func TestRedactTokensInFreeText(t *testing.T) {
	tests := []struct{ in, gone string }{
		{`{"note":"use Bearer abcdefgh12345678 please"}`, "abcdefgh12345678"},
		{`token ` + hartest.SecretPAT + ` end`, hartest.SecretPAT},
		{`<a href="https://x.example/cb?code=abc123&state=xyz789">`, "abc123"},
		{`<a href="https://x.example/cb#access_token=tok987&x=1">`, "tok987"},
		{`{"refresh_token": "rt-123"}`, "rt-123"},
		{hartest.SecretJWT, hartest.SecretJWT},
	}
	for _, tt := range tests {
		h := &har.HAR{Log: har.Log{Entries: []har.Entry{{Response: har.Response{Content: har.Content{MimeType: "text/html", Text: tt.in}}}}}}
		har.Redact(h, har.RedactOptions{})
		if got := h.Log.Entries[0].Response.Content.Text; strings.Contains(got, tt.gone) {
			t.Errorf("Redact(%q) = %q, still holds %q", tt.in, got, tt.gone)
		}
	}
	// Long identifiers are not tokens.
	h := &har.HAR{Log: har.Log{Entries: []har.Entry{{Response: har.Response{Content: har.Content{MimeType: "text/javascript", Text: "var some_long_identifier_name_here = 1"}}}}}}
	if c := har.Redact(h, har.RedactOptions{}); c.Total() != 0 {
		t.Errorf("an identifier was taken for a token: %v", c)
	}
}

func TestRedactFirefoxExport(t *testing.T) {
	for _, f := range []hartest.Flow{{}, {EntraError: "50126"}, {IdPInitiated: true}} {
		h := hartest.Firefox(f.Build())
		counts := har.Redact(h, har.RedactOptions{})
		var buf bytes.Buffer
		if err := har.Write(&buf, h); err != nil {
			t.Fatal(err)
		}
		for _, s := range append(hartest.Secrets(), hartest.UserUPN, url.QueryEscape(hartest.UserUPN)) {
			if bytes.Contains(buf.Bytes(), []byte(s)) {
				t.Errorf("%+v: redacted Firefox HAR holds %q (counts %v)", f, s, counts)
			}
		}
	}
}

// TestRedactRepeatedURLsAndPeople: a URL with secrets is masked wherever
// it is repeated (page titles, Chrome's _initiator, chrome-har's
// _initiator_detail JSON string), and every address and every name a page
// shows (an account picker's tiles) is masked, not only the user's.
func TestRedactRepeatedURLsAndPeople(t *testing.T) {
	h := hartest.Flow{}.Build()
	authorize := ""
	for _, e := range h.Log.Entries {
		if strings.Contains(e.Request.URL, "/oauth2/authorize") {
			authorize = e.Request.URL
		}
	}
	if !strings.Contains(authorize, hartest.SecretState) {
		t.Fatalf("the fixture's authorize URL has no state: %s", authorize)
	}
	h.Log.Pages[0].Title = authorize
	e := &h.Log.Entries[len(h.Log.Entries)-1]
	e.Extra = jsontext.Value(`{"_initiator":{"type":"parser","url":` + strconv.Quote(authorize) + `},"_initiator_detail":` +
		strconv.Quote(`{"type":"parser","url":"`+authorize+`","lineNumber":3}`) + `}`)
	picker := `<html><body><h1>Pick an account</h1><form><button class="tile">Megan Bowen<small>MeganB@contoso.example</small></button></form>` +
		`<form><button class="tile">Isaiah Langer<small>IsaiahL@contoso.example</small></button></form>` +
		`<dl><dt>Last name</dt><dd>Wilber</dd></dl><p>Contact megan.bowen@fabrikam.example for help.</p></body></html>`
	e.Response.Content = har.Content{Size: int64(len(picker)), MimeType: "text/html", Text: picker}
	var raw bytes.Buffer
	if err := har.Write(&raw, h); err != nil {
		t.Fatal(err)
	}
	h2, err := har.Read(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	counts := har.Redact(h2, har.RedactOptions{})
	var out bytes.Buffer
	if err := har.Write(&out, h2); err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{hartest.SecretState, "Megan Bowen", "Isaiah Langer", "Wilber", "MeganB@", "IsaiahL@", "megan.bowen@"} {
		if bytes.Contains(out.Bytes(), []byte(leak)) {
			t.Errorf("%q survives redaction", leak)
		}
	}
	for _, kind := range []string{har.KindName, har.KindAddress, har.KindURL} {
		if counts[kind] == 0 {
			t.Errorf("no %s counted: %v", kind, counts)
		}
	}
	if !bytes.Contains(out.Bytes(), []byte("Pick an account")) {
		t.Error("the page's own text was masked too")
	}
}
