package browser

import (
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func parse(t *testing.T, rawURL, contentType, body string) *Page {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	p, err := newPage(u, &http.Response{StatusCode: 200, Header: h}, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const helpersPage = `<!doctype html><html><head><title>
  Sign in to
  your account </title><base href="https://login.microsoftonline.com/common/">
<style>body { color: red }</style><script>var secret = "do not show";</script></head>
<body>
<h1>Pick an account</h1>
<p>Signed in as <b>alice@contoso.com</b>.   Not you?</p>
<div hidden>hidden text</div><span style="display: none">styled away</span>
<ul><li><a href="reprocess?x=1">Use another account</a></li><li><a href="https://app.rudderstack.com/sso">Back to <i>RudderStack</i></a></li>
<li><a>no href</a></li></ul>
<noscript>Script is disabled.</noscript>
<div id="footer" class="f" data-x="1">Terms   of use</div>
</body></html>`

func TestPageHelpers(t *testing.T) {
	p := parse(t, "https://login.microsoftonline.com/tenant/saml2?SAMLRequest=x", "text/html; charset=utf-8", helpersPage)
	if !p.IsHTML() || p.Document() == nil {
		t.Fatal("HTML page not parsed")
	}
	if got := p.Title(); got != "Sign in to your account" {
		t.Errorf("Title = %q", got)
	}
	want := "Pick an account\nSigned in as alice@contoso.com. Not you?\nUse another account\nBack to RudderStack\nno href\nScript is disabled.\nTerms of use"
	if got := p.Text(); got != want {
		t.Errorf("Text =\n%s\nwant\n%s", got, want)
	}
	el := p.ElementByID("footer")
	if el == nil || el.Tag != "div" || el.Text != "Terms of use" || el.Attrs["data-x"] != "1" || el.Attrs["class"] != "f" {
		t.Errorf("ElementByID(footer) = %+v", el)
	}
	if p.ElementByID("missing") != nil {
		t.Errorf("ElementByID found a missing id")
	}
	var links []string
	for _, l := range p.Links() {
		links = append(links, l.Text+" → "+l.URL.String())
	}
	wantLinks := []string{
		"Use another account → https://login.microsoftonline.com/common/reprocess?x=1", // <base href> applies
		"Back to RudderStack → https://app.rudderstack.com/sso",
	}
	if !reflect.DeepEqual(links, wantLinks) {
		t.Errorf("Links = %q, want %q", links, wantLinks)
	}
}

func TestNonHTMLPages(t *testing.T) {
	for _, tt := range []struct{ ct, body string }{
		{"application/json", `{"email":"a@b"}`},
		{"application/samlmetadata+xml", `<EntityDescriptor/>`},
		{"", `{"sniffed":"as text"}`},
	} {
		p := parse(t, "https://api.rudderstack.com/api/me", tt.ct, tt.body)
		if p.IsHTML() || p.Title() != "" || p.Text() != "" || p.Forms() != nil || p.Links() != nil || p.ElementByID("x") != nil {
			t.Errorf("%q treated as HTML", tt.ct)
		}
	}
	p := parse(t, "https://api.rudderstack.com/api/me", "", "<html><title>sniffed</title></html>")
	if p.Title() != "sniffed" {
		t.Errorf("HTML without a Content-Type not sniffed")
	}
	var v struct{ Email string }
	if err := parse(t, "https://x.example/", "application/json", `{"email":"a@b"}`).JSON(&v); err != nil || v.Email != "a@b" {
		t.Errorf("JSON = %v, %+v", err, v)
	}
	err := parse(t, "https://x.example/me?token=s3cr3t", "text/html", "<html>").JSON(&v)
	if err == nil || !strings.Contains(err.Error(), "text/html") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("JSON of HTML: %v", err)
	}
}

const formsPage = `<html><body>
<form id="login" action="/t/login?flow=1#frag" method="POST">
  <input type="hidden" name="ctx" value="c1">
  <input name="loginfmt">
  <input type="password" name="passwd" value="">
  <input type="checkbox" name="KMSI">
  <input type="checkbox" name="agree" value="yes" checked>
  <input type="radio" name="mode" value="a"><input type="radio" name="mode" value="b" checked>
  <select name="lang"><option>en</option><option value="de" selected>Deutsch</option></select>
  <select name="empty"></select>
  <textarea name="note">
line one
line two</textarea>
  <input name="off" value="x" disabled>
  <input type="file" name="upload">
  <input value="no name">
  <button name="action" value="cancel" type="button">Cancel</button>
  <input type="submit" name="action" value="signin">
  <button name="action" value="other">Other</button>
</form>
<input name="outside" value="o" form="login">
<form name="search"><input name="q" value="v"></form>
<form method="dialog" action="http://[bad"><input name="z"></form>
</body></html>`

func TestFormParsing(t *testing.T) {
	p := parse(t, "https://login.microsoftonline.com/t/saml2?SAMLRequest=r", "text/html", formsPage)
	forms := p.Forms()
	if len(forms) != 3 {
		t.Fatalf("%d forms, want 3", len(forms))
	}
	login := p.FormByID("login")
	if login != forms[0] || p.FormWithField("passwd") != login || p.FormWithField("q") != forms[1] || p.FormWithField("nope") != nil {
		t.Errorf("form lookups disagree")
	}
	if login.Method != "POST" || login.Action.String() != "https://login.microsoftonline.com/t/login?flow=1#frag" {
		t.Errorf("login form = %s %s", login.Method, login.Action)
	}
	search := forms[1]
	if search.Name != "search" || search.Method != "GET" || search.Action.String() != p.URL.String() {
		t.Errorf("search form = %q %s %s; an empty action is the page's URL", search.Name, search.Method, search.Action)
	}
	if forms[2].Method != "GET" || forms[2].Action != p.URL {
		t.Errorf("a bad method or action should fall back to GET and the page URL: %s %s", forms[2].Method, forms[2].Action)
	}
	wantValues := url.Values{
		"ctx": {"c1"}, "loginfmt": {""}, "passwd": {""}, "agree": {"yes"}, "mode": {"b"},
		"lang": {"de"}, "empty": {""}, "note": {"line one\nline two"}, "outside": {"o"},
	}
	if got := login.Values(); !reflect.DeepEqual(got, wantValues) {
		t.Errorf("Values =\n%v\nwant\n%v", got, wantValues)
	}
	if f, ok := login.Field("lang"); !ok || !reflect.DeepEqual(f.Options, []string{"en", "de"}) || f.Type != "select" {
		t.Errorf("lang field = %+v", f)
	}
	if f, _ := login.Field("KMSI"); f.Type != "checkbox" || f.Checked || f.Value != "on" {
		t.Errorf("KMSI field = %+v", f)
	}
	if login.Value("ctx") != "c1" || login.Value("nope") != "" {
		t.Errorf("Value lookups wrong")
	}
}

func TestFormDataSet(t *testing.T) {
	p := parse(t, "https://login.microsoftonline.com/t/saml2", "text/html", formsPage)
	login := p.FormByID("login")
	tests := []struct {
		name   string
		values url.Values
		want   string
	}{
		{"defaults press the first submit button", nil,
			"ctx=c1&loginfmt=&passwd=&agree=yes&mode=b&lang=de&empty=&note=line+one%0Aline+two&action=signin&outside=o"},
		{"user values in document order", url.Values{"passwd": {"p@ss w&rd"}, "loginfmt": {"alice@contoso.com"}, "KMSI": {"true"}},
			"ctx=c1&loginfmt=alice%40contoso.com&passwd=p%40ss+w%26rd&KMSI=true&agree=yes&mode=b&lang=de&empty=&note=line+one%0Aline+two&action=signin&outside=o"},
		{"naming a button presses it", url.Values{"action": {"other"}},
			"ctx=c1&loginfmt=&passwd=&agree=yes&mode=b&lang=de&empty=&note=line+one%0Aline+two&action=other&outside=o"},
		{"an override takes the group's first place; an empty one unchecks", url.Values{"mode": {"a"}, "agree": {}},
			"ctx=c1&loginfmt=&passwd=&mode=a&lang=de&empty=&note=line+one%0Aline+two&action=signin&outside=o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pairs, err := login.dataSet(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			if got := encodeURLForm(pairs); got != tt.want {
				t.Errorf("sent\n%s\nwant\n%s", got, tt.want)
			}
		})
	}

	_, err := login.dataSet(url.Values{"password": {"x"}})
	if !errors.Is(err, ErrNoSuchField) || !strings.Contains(err.Error(), `"password"`) || !strings.Contains(err.Error(), "passwd") {
		t.Errorf("unknown field: %v; want ErrNoSuchField naming it and the form's fields", err)
	}
}

func TestFormRequests(t *testing.T) {
	p := parse(t, "https://login.microsoftonline.com/t/saml2", "text/html", formsPage)
	search := p.Forms()[1]
	req, err := formRequest(search, url.Values{"q": {"a b"}})
	if err != nil {
		t.Fatal(err)
	}
	if req.method != "GET" || req.url.String() != "https://login.microsoftonline.com/t/saml2?q=a+b" || req.body != nil {
		t.Errorf("GET form request = %s %s %q", req.method, req.url, req.body)
	}
	login := p.FormByID("login")
	req, err = formRequest(login, nil)
	if err != nil {
		t.Fatal(err)
	}
	if req.url.String() != "https://login.microsoftonline.com/t/login?flow=1" || req.contentType != formURLEncoded || req.referrer != p.URL {
		t.Errorf("POST form request = %s %s %s", req.url, req.contentType, req.referrer)
	}

	multi := parse(t, "https://x.example/", "text/html", `<form method=post enctype="multipart/form-data"><input name=a value=1></form>`).Forms()[0]
	req, err = formRequest(multi, nil)
	if err != nil || !strings.HasPrefix(req.contentType, "multipart/form-data; boundary=") || !strings.Contains(string(req.body), "name=\"a\"\r\n\r\n1\r\n") {
		t.Errorf("multipart request = %v, %s %q", err, req.contentType, req.body)
	}
	plain := parse(t, "https://x.example/", "text/html", `<form method=post enctype="text/plain"><input name=a></form>`).Forms()[0]
	if _, err := formRequest(plain, nil); !errors.Is(err, ErrUnsupportedEnctype) {
		t.Errorf("text/plain form: %v", err)
	}
	js := parse(t, "https://x.example/", "text/html", `<form action="javascript:go()"><input name=a></form>`).Forms()[0]
	if _, err := formRequest(js, nil); !errors.Is(err, ErrBadURL) {
		t.Errorf("javascript: action: %v", err)
	}
}
