package har

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
	xhtml "golang.org/x/net/html"
)

// markers are byte strings at least one of which an entry must hold for
// the analysis to decode it; everything else (scripts, images, API calls)
// is passed over without decoding its bodies. Every step of the flow holds
// one: SAMLRequest/SAMLResponse (the IdP request, the auto-post form, the
// ACS post, and the Referer of Entra's pages), /sso (the start),
// authorize, passwd (the sign-in), code= and error_description (the
// landing), AADSTS and Cognito's page texts (the errors).
var markers = [][]byte{
	[]byte("SAMLRe"),
	[]byte("AADSTS"),
	[]byte("error_description"),
	[]byte("/sso"),
	[]byte("authorize"),
	[]byte("passwd"),
	[]byte("LoginOptions"),
	[]byte("code="),
	[]byte("identity provider"),
	[]byte("Required String"),
	[]byte("An error was encountered"),
	[]byte("Something went wrong"),
	[]byte("/signin/"),
	[]byte("idpinitiated"),
	[]byte("error-message"),
	[]byte("errorMessage"),
}

// mayMatter reports whether a raw entry can hold part of an SSO flow.
// The response body is most of a HAR's bytes and only an HTML (or XML)
// body can hold SAML, an AADSTS page or a Cognito page, so the body of any
// other type is not searched. An HTML body the browser stored as base64
// cannot be searched raw, so such an entry is always decoded.
func mayMatter(raw []byte) bool {
	vs, ve, mime, ok := contentText(raw)
	if !ok {
		return hasMarker(raw)
	}
	if hasMarker(raw[:vs]) || hasMarker(raw[ve:]) {
		return true
	}
	if !bytes.Contains(mime, []byte("html")) && !bytes.Contains(mime, []byte("xml")) && len(bytes.Trim(mime, `" `)) > 0 {
		return false
	}
	return hasMarker(raw[vs:ve]) || bytes.Contains(raw[ve:], []byte(`"base64"`))
}

func hasMarker(b []byte) bool {
	for _, m := range markers {
		if bytes.Contains(b, m) {
			return true
		}
	}
	return false
}

// contentText finds, in a raw entry, the response body (the string value
// of the "text" member after the "content" member) and the content's
// "mimeType" value, without decoding the JSON. ok is false when the entry
// is not laid out that way; the caller then searches it whole.
func contentText(raw []byte) (start, end int, mime []byte, ok bool) {
	ci := memberName(raw, 0, `"content"`)
	if ci < 0 {
		return 0, 0, nil, false
	}
	ti := memberName(raw, ci, `"text"`)
	if ti < 0 {
		return 0, 0, nil, false
	}
	vs := valueStart(raw, ti+len(`"text"`))
	if vs < 0 || raw[vs] != '"' {
		return 0, 0, nil, false
	}
	ve := stringEnd(raw, vs)
	if ve < 0 {
		return 0, 0, nil, false
	}
	mi := memberName(raw[:vs], ci, `"mimeType"`)
	if mi < 0 {
		mi = memberName(raw, ve, `"mimeType"`)
	}
	if mi < 0 {
		return 0, 0, nil, false
	}
	ms := valueStart(raw, mi+len(`"mimeType"`))
	if ms < 0 || raw[ms] != '"' {
		return 0, 0, nil, false
	}
	me := stringEnd(raw, ms)
	if me < 0 {
		return 0, 0, nil, false
	}
	return vs, ve, bytes.ToLower(raw[ms:me]), true
}

// memberName finds name (quoted) as an object member name at or after
// from: a quote not escaped, and a colon after it.
func memberName(raw []byte, from int, name string) int {
	for from < len(raw) {
		i := bytes.Index(raw[from:], []byte(name))
		if i < 0 {
			return -1
		}
		i += from
		from = i + 1
		if escaped(raw, i) {
			continue
		}
		if valueStart(raw, i+len(name)) >= 0 {
			return i
		}
	}
	return -1
}

// valueStart skips whitespace, a colon and whitespace after a member name
// ending at i, returning where the value starts (-1 if no colon).
func valueStart(raw []byte, i int) int {
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	if i >= len(raw) || raw[i] != ':' {
		return -1
	}
	i++
	for i < len(raw) && isSpace(raw[i]) {
		i++
	}
	if i >= len(raw) {
		return -1
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// stringEnd returns the index just past the closing quote of the JSON
// string starting at the quote at i.
func stringEnd(raw []byte, i int) int {
	for p := i + 1; p < len(raw); {
		j := bytes.IndexByte(raw[p:], '"')
		if j < 0 {
			return -1
		}
		p += j
		if !escaped(raw, p) {
			return p + 1
		}
		p++
	}
	return -1
}

// escaped reports whether the quote at i is preceded by an odd number of
// backslashes.
func escaped(raw []byte, i int) bool {
	n := 0
	for i-1-n >= 0 && raw[i-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// Step kinds of an SSO flow, in the order they happen.
const (
	StepLaunch      = "launch"       // Entra's My Apps tile or Test button
	StepStart       = "start"        // the app's /sso page
	StepAuthorize   = "authorize"    // Cognito's /oauth2/authorize
	StepIdPRequest  = "idp-request"  // the AuthnRequest reaching Entra
	StepSignIn      = "sign-in"      // the user's credentials (or Stay signed in?) posted to Entra
	StepIdPError    = "idp-error"    // an AADSTS error shown by Entra
	StepIdPResponse = "idp-response" // Entra's auto-post form with the SAMLResponse
	StepACS         = "acs"          // the SAMLResponse posted to the SP
	StepSPError     = "sp-error"     // a Cognito error page or error redirect
	StepLanding     = "landing"      // back at the app with a code (or an error)
	// StepLogout is the app's LogoutRequest reaching Entra (single
	// sign-out); StepLogoutResponse is Entra's LogoutResponse, on its
	// auto-post page or posted to the app's Logout URL.
	StepLogout         = "logout"
	StepLogoutResponse = "logout-response"
)

var stepRank = map[string]int{
	StepLaunch: 0, StepStart: 0, StepAuthorize: 1, StepIdPRequest: 2, StepSignIn: 3, StepIdPError: 3,
	StepIdPResponse: 4, StepACS: 5, StepSPError: 6, StepLanding: 6,
	StepLogout: 2, StepLogoutResponse: 5,
}

// foundMessage is a SAML message found in an entry.
type foundMessage struct {
	param string // SAMLRequest or SAMLResponse
	where string // query, body, location, referer, html-form
	msg   *samlmsg.Message
	err   error
	// formAction is the URL an HTML auto-post form posts to.
	formAction string
	// relayState is the RelayState carried beside it; hasRelayState says
	// whether the parameter was there at all.
	relayState    string
	hasRelayState bool
}

// aadError is an AADSTS error shown on a page or in a SAML status.
type aadError struct {
	Code    string
	Message string
}

// entryFacts is what the analysis keeps of one relevant entry.
type entryFacts struct {
	idx       int
	started   time.Time
	timeMS    float64
	method    string
	url       string
	u         *url.URL
	status    int
	location  string
	pageref   string
	steps     []string
	messages  []foundMessage
	aad       []aadError
	spErrors  []string // Cognito messages (error_description or page text)
	truncated bool     // a body that mattered was cut short
	formField map[string]bool
	// acsRelayState says whether a SAMLResponse post carried RelayState.
	acsRelayState bool
	// acsGet is a GET of the SP's ACS (no SAMLResponse): what a My Apps
	// tile does when the Sign on URL is the Reply URL.
	acsGet bool
}

var (
	// aadstsRE takes the message up to the end of its markup; the
	// length limit applies after HTML entities are decoded (cleanMessage).
	aadstsRE = regexp.MustCompile(`AADSTS(\d{5,8})(?::|\s)\s*([^"<\r\n]{0,1000})`)
	// cognitoPage holds Cognito's page messages (§5.7 of the reference).
	cognitoPage = []string{
		"Invalid samlResponse or relayState from identity provider",
		"Invalid relayState from identity provider",
		"Required String parameter 'RelayState' is not present",
		"An error was encountered with the requested page",
		"Invalid SAML response received",
		"Error in SAML response processing",
		"Something went wrong",
	}
)

// isEntraHost reports whether host is Entra's sign-in service.
func isEntraHost(host string) bool {
	host = strings.ToLower(host)
	return host == "login.microsoftonline.com" || host == "login.windows.net" ||
		host == "login.microsoft.com" || strings.HasSuffix(host, ".login.microsoftonline.com")
}

// facts extracts what matters from a decoded entry; ok is false when the
// entry plays no part in an SSO flow.
func facts(idx int, e *Entry) (*entryFacts, bool) {
	f := &entryFacts{
		idx:     idx,
		timeMS:  e.Time,
		method:  strings.ToUpper(e.Request.Method),
		url:     e.Request.URL,
		status:  e.Response.Status,
		pageref: e.Pageref,
	}
	f.started, _ = time.Parse(time.RFC3339Nano, e.StartedDateTime)
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		u = &url.URL{}
	}
	if isAsset(u.Path) {
		// The favicon every browser asks for (a 404 page on most apps),
		// scripts and styles: never a step of the flow.
		return nil, false
	}
	f.u = u
	// Only a redirect has a Location that the browser followed; some
	// writers (chrome-har) leave one on other responses too.
	if f.status >= 300 && f.status < 400 {
		f.location, _ = Header(e.Response.Headers, "Location")
		if f.location == "" {
			f.location = e.Response.RedirectURL
		}
	}
	q := u.Query()
	if len(q) == 0 && len(e.Request.QueryString) > 0 {
		q = url.Values{}
		for _, p := range e.Request.QueryString {
			q.Add(p.Name, p.Value)
		}
	}
	form := postForm(e.Request.PostData)
	f.formField = map[string]bool{}
	for k := range form {
		f.formField[strings.ToLower(k)] = true
	}

	// SAML messages in the request itself.
	for _, p := range []string{"SAMLRequest", "SAMLResponse"} {
		if v, ok := q[p]; ok && len(v) > 0 {
			rs, has := first(q, "RelayState")
			f.messages = append(f.messages, decodeFound(p, "query", v[0], rs, has))
		}
		if v, ok := form[p]; ok && len(v) > 0 {
			rs, has := first(form, "RelayState")
			f.messages = append(f.messages, decodeFound(p, "body", v[0], rs, has))
		}
	}
	// A redirect to the IdP, and the page the request came from.
	for _, wr := range [][2]string{{"location", f.location}, {"referer", headerOr(e.Request.Headers, "Referer")}} {
		where, raw := wr[0], wr[1]
		if raw == "" || !strings.Contains(raw, "SAMLRe") {
			continue
		}
		lu, err := url.Parse(raw)
		if err != nil {
			continue
		}
		lq := lu.Query()
		for _, p := range []string{"SAMLRequest", "SAMLResponse"} {
			if v, ok := lq[p]; ok && len(v) > 0 {
				rs, has := first(lq, "RelayState")
				f.messages = append(f.messages, decodeFound(p, where, v[0], rs, has))
			}
		}
	}
	// Errors carried in URLs: the request's own and the redirect's.
	for _, raw := range []string{f.location, e.Request.URL} {
		if raw == "" || !strings.Contains(raw, "error") {
			continue
		}
		if lu, err := url.Parse(raw); err == nil {
			if d := lu.Query().Get("error_description"); d != "" {
				// Entra reports through the redirect too (OAuth-style
				// error_description starting with the AADSTS code).
				if m := aadstsRE.FindStringSubmatch(d); m != nil {
					f.aad = append(f.aad, aadError{Code: m[1], Message: strings.TrimSpace(m[2])})
				} else if raw == f.location {
					f.spErrors = append(f.spErrors, d)
				}
			}
		}
	}
	// The response body: Entra's pages and auto-post form, Cognito's pages.
	if body, truncated := e.Response.Content.Body(); len(body) > 0 && isHTMLish(e.Response.Content.MimeType, body) {
		s := string(body)
		if strings.Contains(s, "SAMLRe") {
			f.messages = append(f.messages, formMessages(s)...)
		}
		if strings.Contains(s, "AADSTS") {
			seen := map[string]bool{}
			for _, m := range aadstsRE.FindAllStringSubmatch(s, -1) {
				if seen[m[1]] {
					continue
				}
				seen[m[1]] = true
				f.aad = append(f.aad, aadError{Code: m[1], Message: cleanMessage(m[2])})
			}
		}
		// Cognito's error pages: an error status, or a page of its own
		// endpoints. An app page that merely mentions "Something went
		// wrong" in a script is not one.
		if !isEntraHost(u.Host) && (f.status >= 400 || strings.Contains(u.Path, "/saml2/") ||
			strings.Contains(u.Path, "/oauth2/") || strings.Contains(u.Path, "/error") || strings.HasSuffix(u.Path, "/login")) {
			text := html.UnescapeString(s)
			found := false
			for _, msg := range cognitoPage {
				if i := strings.Index(text, msg); i >= 0 {
					f.spErrors = append(f.spErrors, pageMessage(text[i:]))
					found = true
					break
				}
			}
			// The app's own error pages (and Cognito's customisable
			// message element): an error status with a message element.
			if !found && f.status >= 400 {
				if msg := errorElement(s); msg != "" {
					f.spErrors = append(f.spErrors, msg)
				}
			}
		}
		if truncated {
			f.truncated = true
		}
	}
	for _, m := range f.messages {
		if m.param == "SAMLResponse" && m.where == "html-form" {
			if isType(m, "LogoutResponse") {
				f.steps = append(f.steps, StepLogoutResponse)
			} else {
				f.steps = append(f.steps, StepIdPResponse)
			}
			break
		}
	}
	// Classify the request.
	path := strings.TrimSuffix(u.Path, "/")
	switch {
	case hasMessageType(f, "LogoutResponse", "body", "query"):
		f.steps = append([]string{StepLogoutResponse}, f.steps...)
	case hasMessageType(f, "LogoutRequest", "query", "body"):
		f.steps = append([]string{StepLogout}, f.steps...)
	case hasMessage(f, "SAMLResponse", "body", "query"):
		f.steps = append([]string{StepACS}, f.steps...)
		_, f.acsRelayState = form["RelayState"]
		if !f.acsRelayState {
			_, f.acsRelayState = q["RelayState"]
		}
	case hasMessage(f, "SAMLRequest", "query", "body"):
		f.steps = append([]string{StepIdPRequest}, f.steps...)
	case path == "/sso": // the page, and the email submitted on it
		f.steps = append([]string{StepStart}, f.steps...)
	case isLaunch(u):
		f.steps = append([]string{StepLaunch}, f.steps...)
	case strings.HasSuffix(path, "/authorize") && (q.Has("identity_provider") || q.Has("idp_identifier") || q.Has("client_id")):
		f.steps = append([]string{StepAuthorize}, f.steps...)
	case !isEntraHost(u.Host) && hasMessageType(f, "AuthnRequest", "location", "html-form"):
		// Another SP's sign-in page: it answers with the AuthnRequest, by
		// a redirect or an auto-posted form (Cognito's /oauth2/authorize
		// is matched above).
		f.steps = append([]string{StepStart}, f.steps...)
	case f.method == "POST" && (f.formField["loginfmt"] || f.formField["passwd"] || f.formField["loginoptions"]):
		f.steps = append([]string{StepSignIn}, f.steps...)
	case !isEntraHost(u.Host) && (q.Has("code") || q.Has("error_description")) && !strings.HasSuffix(path, "/token"):
		f.steps = append([]string{StepLanding}, f.steps...)
		if d := q.Get("error_description"); d != "" && !aadstsRE.MatchString(d) {
			f.spErrors = append(f.spErrors, d)
		}
	}
	if f.method == "GET" && strings.HasSuffix(path, "/saml2/idpresponse") && len(f.messages) == 0 {
		f.acsGet = true
	}
	// A landing the app refused without a message it could read is still
	// a failure: judge it by its status, not by its code parameter.
	if contains(f.steps, StepLanding) && f.status >= 400 && len(f.spErrors) == 0 {
		f.spErrors = append(f.spErrors, fmt.Sprintf("The app answered %d %s.", f.status, http.StatusText(f.status)))
	}
	if f.acsGet && len(f.steps) == 0 && f.status >= 400 {
		f.spErrors = append(f.spErrors, fmt.Sprintf("The Reply URL answered %d %s to a GET.", f.status, http.StatusText(f.status)))
	}
	if len(f.aad) > 0 {
		f.steps = append(f.steps, StepIdPError)
	}
	if len(f.spErrors) > 0 && !contains(f.steps, StepLanding) {
		f.steps = append(f.steps, StepSPError)
	}
	f.spErrors = dedupe(f.spErrors)
	return f, len(f.steps) > 0
}

func decodeFound(param, where, value, relayState string, hasRelayState bool) foundMessage {
	fm := foundMessage{param: param, where: where, relayState: relayState, hasRelayState: hasRelayState}
	xml, _, err := samlmsg.Decode(value)
	if err != nil && len(xml) == 0 {
		fm.err = err
		return fm
	}
	fm.msg, fm.err = samlmsg.Parse(xml)
	if err != nil && fm.err == nil {
		fm.err = err
	}
	return fm
}

// formMessages finds SAMLRequest/SAMLResponse hidden inputs in an HTML
// page and the action of the form that holds them.
func formMessages(page string) []foundMessage {
	var out []foundMessage
	z := xhtml.NewTokenizer(strings.NewReader(page))
	action := ""
	var pending []foundMessage
	relay, hasRelay := "", false
	flush := func() {
		for _, fm := range pending {
			fm.formAction = action
			fm.relayState, fm.hasRelayState = relay, hasRelay
			out = append(out, fm)
		}
		pending, relay, hasRelay = nil, "", false
	}
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken && tt != xhtml.EndTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "form":
			if tt == xhtml.EndTagToken {
				flush()
				action = ""
				continue
			}
			flush()
			action = attr(tok, "action")
		case "input":
			name, value := attr(tok, "name"), attr(tok, "value")
			switch name {
			case "SAMLRequest", "SAMLResponse":
				pending = append(pending, decodeFound(name, "html-form", value, "", false))
			case "RelayState":
				relay, hasRelay = value, true
			}
		}
	}
	flush()
	return out
}

func attr(t xhtml.Token, name string) string {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Key, name) {
			return a.Val
		}
	}
	return ""
}

// postForm reads a form-encoded request body from its params or its text.
func postForm(pd *PostData) url.Values {
	out := url.Values{}
	if pd == nil {
		return out
	}
	if len(pd.Params) > 0 {
		for _, p := range pd.Params {
			out.Add(p.Name, p.Value)
		}
		return out
	}
	mt := strings.ToLower(pd.MimeType)
	if strings.Contains(mt, "x-www-form-urlencoded") || (mt == "" && strings.Contains(pd.Text, "=")) {
		if v, err := url.ParseQuery(pd.Text); err == nil {
			return v
		}
	}
	return out
}

func isHTMLish(mimeType string, body []byte) bool {
	mt := strings.ToLower(mimeType)
	if strings.Contains(mt, "html") || strings.Contains(mt, "xml") {
		return true
	}
	if mt == "" || strings.HasPrefix(mt, "text/plain") {
		t := bytes.TrimSpace(body)
		return len(t) > 0 && t[0] == '<'
	}
	return false
}

// hasMessageType reports whether f carries a SAML message of type typ
// (LogoutRequest…) in one of wheres.
func hasMessageType(f *entryFacts, typ string, wheres ...string) bool {
	for _, m := range f.messages {
		if isType(m, typ) && contains(wheres, m.where) {
			return true
		}
	}
	return false
}

func isType(m foundMessage, typ string) bool { return m.msg != nil && m.msg.Type == typ }

func hasMessage(f *entryFacts, param string, wheres ...string) bool {
	for _, m := range f.messages {
		if m.param == param && contains(wheres, m.where) {
			return true
		}
	}
	return false
}

func first(v url.Values, k string) (string, bool) {
	vs, ok := v[k]
	if !ok || len(vs) == 0 {
		return "", ok
	}
	return vs[0], true
}

func headerOr(hs []NameValue, name string) string {
	v, _ := Header(hs, name)
	return v
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func dedupe(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// maxMessage is the longest AADSTS message kept, in characters after
// decoding (Entra's longest run to about 500); a longer one is cut at a
// word.
const maxMessage = 1000

// cleanMessage undoes the escaping an AADSTS message picks up inside the
// page's script ($Config) or HTML, then limits its length.
func cleanMessage(s string) string {
	for _, cut := range []string{`\r\n`, `\n`, "Trace ID:"} {
		if i := strings.Index(s, cut); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.TrimRight(s, `\`)
	if u, err := strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`); err == nil {
		s = u
	}
	return cutAtWord(strings.TrimSpace(html.UnescapeString(s)), maxMessage)
}

// cutAtWord shortens s to at most n characters, at the end of a word, and
// marks the cut with an ellipsis.
func cutAtWord(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexAny(cut, " \t"); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// isAsset is a path of a favicon, image, script, style or font.
func isAsset(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".ico", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".js", ".mjs", ".css", ".woff", ".woff2", ".ttf", ".map":
		return true
	}
	return false
}

// isLaunch is a sign-in started from Entra: the My Apps tile's User access
// URL (myapps.microsoft.com/signin/..., launcher's /api/signin/{appid}) or
// an IdP-initiated Test.
func isLaunch(u *url.URL) bool {
	host, p := strings.ToLower(u.Hostname()), strings.ToLower(u.Path)
	return strings.Contains(p, "/api/signin/") || strings.HasSuffix(p, "/saml2/idpinitiated") ||
		(strings.HasSuffix(host, "myapps.microsoft.com") && strings.Contains(p, "/signin/"))
}

// errorElement returns the text of an error page's message element: the
// app's id="error-message", or Cognito's errorMessage-customizable class.
func errorElement(page string) string {
	z := xhtml.NewTokenizer(strings.NewReader(page))
	depth := 0
	var b strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return strings.TrimSpace(b.String())
		case xhtml.StartTagToken:
			if depth > 0 {
				depth++
				continue
			}
			tok := z.Token()
			if attr(tok, "id") == "error-message" || strings.Contains(attr(tok, "class"), "errorMessage-customizable") {
				depth = 1
			}
		case xhtml.EndTagToken:
			if depth > 0 {
				depth--
				if depth == 0 && b.Len() > 0 {
					return pageMessage(strings.TrimSpace(b.String()))
				}
			}
		case xhtml.TextToken:
			if depth > 0 {
				b.Write(z.Text())
			}
		}
	}
}

// pageMessage cuts a Cognito page message at the end of its sentence or
// markup.
func pageMessage(s string) string {
	if i := strings.IndexAny(s, "<\n\""); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return strings.TrimSpace(s)
}
