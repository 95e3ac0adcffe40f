package har

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/ssowiz/ssowiz/internal/har/samlmsg"
	xhtml "golang.org/x/net/html"
)

// Masked replaces every redacted value.
const Masked = samlmsg.Masked

// Kinds of values Redact masks, as counted in Counts. The SAML kinds come
// from samlmsg (saml-nameid, saml-attribute-value, saml-signature,
// saml-certificate).
const (
	KindCookie        = "cookie"
	KindSetCookie     = "set-cookie"
	KindAuthorization = "authorization"
	KindAuthHeader    = "auth-header"
	KindBearer        = "bearer-token"
	KindJWT           = "jwt"
	KindPAT           = "pat"
	KindOAuthCode     = "oauth-code"
	KindOAuthState    = "oauth-state"
	KindOAuthToken    = "oauth-token"
	KindPassword      = "password"
	KindUsername      = "username"
	KindRelayState    = "relay-state"
	KindEntraToken    = "entra-flow-token"
	// KindAddress is an email address or UPN anywhere: Entra's account
	// picker and error pages, and the app's pages, show co-workers'.
	KindAddress = "address"
	// KindName is a person's name shown by a page (an account tile, a
	// profile field, a JSON name member).
	KindName = "name"
	// KindURL is a URL repeated outside its request (page titles,
	// initiators, Referer), masked as in the request.
	KindURL = "url"
)

// RedactOptions tune Redact.
type RedactOptions struct {
	// Keep names fields to leave alone, case-insensitively: a header,
	// cookie, query or form parameter, JSON member, or SAML attribute name
	// ("NameID" for the SAML subject), or a kind (say "jwt").
	Keep []string
}

// Counts says how many values of each kind Redact masked.
type Counts map[string]int

// Total is the number of values masked.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// WriteText prints the counts, one kind a line, in name order.
func (c Counts) WriteText(w io.Writer) error {
	kinds := make([]string, 0, len(c))
	for k := range c {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if _, err := fmt.Fprintf(w, "  %-22s %d\n", k, c[k]); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "  %-22s %d\n", "total", c.Total())
	return err
}

func (c Counts) add(kind string, n int) {
	if n > 0 {
		c[kind] += n
	}
}

func (c Counts) merge(o map[string]int) {
	for k, v := range o {
		c.add(k, v)
	}
}

// paramKinds says which query, form and JSON fields hold secrets, by lower
// case name (reference §7.3).
var paramKinds = map[string]string{
	"code": KindOAuthCode, "state": KindOAuthState,
	"id_token": KindOAuthToken, "access_token": KindOAuthToken, "refresh_token": KindOAuthToken,
	"client_secret": KindOAuthToken, "code_verifier": KindOAuthToken, "token": KindOAuthToken,
	"passwd": KindPassword, "password": KindPassword, "pwd": KindPassword, "newpasswd": KindPassword,
	"loginfmt": KindUsername, "login": KindUsername, "username": KindUsername, "email": KindUsername,
	"login_hint": KindUsername,
	"relaystate": KindRelayState,
	"flowtoken":  KindEntraToken, "ctx": KindEntraToken, "canary": KindEntraToken, "hpgrequestid": KindEntraToken,
}

// jsonKinds are JSON members masked in bodies (Entra's $Config blob and
// token responses).
var jsonKinds = map[string]string{
	"access_token": KindOAuthToken, "id_token": KindOAuthToken, "refresh_token": KindOAuthToken,
	"client_secret": KindOAuthToken, "code_verifier": KindOAuthToken,
	"password": KindPassword, "passwd": KindPassword,
	"username": KindUsername, "login": KindUsername, "loginfmt": KindUsername, "email": KindUsername,
	"sft": KindEntraToken, "sftname": "", "flowtoken": KindEntraToken, "canary": KindEntraToken,
	"apicanary": KindEntraToken, "sctx": KindEntraToken,
}

// nameMembers are JSON members that hold a person's name (the app's
// /api/me, Graph-shaped users): their values are learned as names.
var nameMembers = map[string]bool{
	"name": true, "displayname": true, "display_name": true, "given_name": true, "givenname": true,
	"family_name": true, "familyname": true, "surname": true, "last_name": true, "lastname": true,
	"first_name": true, "firstname": true,
}

var (
	bearerRE  = regexp.MustCompile(`(?i)\b(bearer)\s+([A-Za-z0-9\-._~+/]{8,}=*)`)
	jwtRE     = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	patRE     = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9]{1,15}_[A-Za-z0-9_]{20,}\b`)
	jsonKeyRE = regexp.MustCompile(`"([A-Za-z_]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"`)
	// addressRE matches an email address or UPN, plain or URL-escaped.
	addressRE  = regexp.MustCompile(`[A-Za-z0-9._%+-]*[A-Za-z0-9_+-](?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	urlParamRE = regexp.MustCompile(`(?i)([?&#](?:code|state|id_token|access_token|refresh_token|client_secret|code_verifier|login_hint)=)([^&"'\s<>#]+)`)
)

// redactor holds one Redact call's state.
type redactor struct {
	keep   map[string]bool
	counts Counts
	// identities are the user's names and addresses learned from the file
	// (sign-in form fields, SAML NameIDs and name claims), masked wherever
	// else they appear: Entra's pages echo the account being signed in.
	identities []string
	// names are the other people's names the pages show (account tiles,
	// profile fields, JSON name members).
	names []string
	// urls replaces each URL that carries a secret, wherever it is
	// repeated (page titles, initiators, Referer), with its masked form.
	urls *strings.Replacer
}

func (r *redactor) kept(name string) bool { return r.keep[strings.ToLower(name)] }

// Redact masks in place what must not leave the company (reference
// §7.3): cookie values, Authorization and other auth headers, bearer
// tokens, JWTs and personal-access-token-like strings anywhere, OAuth
// codes, states and tokens in URLs, headers and bodies, passwords and user
// names in forms, RelayStates, Entra's flow tokens, and inside SAML
// messages the NameID, attribute values, signatures and certificates. It
// keeps the file's structure and the SAML messages' structure, so Analyze
// reaches the same diagnoses on the result. It returns counts by kind.
func Redact(h *HAR, opts RedactOptions) Counts {
	r := &redactor{keep: map[string]bool{}, counts: Counts{}}
	for _, k := range opts.Keep {
		r.keep[strings.ToLower(strings.TrimSpace(k))] = true
	}
	if !r.kept(KindUsername) {
		r.identities = identities(h, r.kept)
	}
	if !r.kept(KindName) {
		r.names = pageNames(h, r.identities)
	}
	r.urls = r.repeatedURLs(h)
	for i := range h.Log.Entries {
		r.entry(&h.Log.Entries[i])
	}
	for i := range h.Log.Pages {
		p := &h.Log.Pages[i]
		p.Title = r.free(p.Title)
		p.Extra = r.extra(p.Extra)
	}
	h.Log.Extra = r.extra(h.Log.Extra)
	return r.counts
}

// repeatedURLs builds the replacer of URLs that carry secrets: each
// request URL and redirect target is masked once, with a scratch counter,
// and where it differs its raw form (and its HTML-escaped form) maps to
// the masked one.
func (r *redactor) repeatedURLs(h *HAR) *strings.Replacer {
	scratch := &redactor{keep: r.keep, counts: Counts{}, identities: r.identities, names: r.names}
	seen := map[string]bool{}
	var pairs []string
	add := func(raw string) {
		if raw == "" || seen[raw] || !strings.Contains(raw, "?") && !strings.Contains(raw, "@") && !strings.Contains(raw, "%40") {
			return
		}
		seen[raw] = true
		if m := scratch.url(raw); m != raw {
			pairs = append(pairs, raw, m)
			if esc := html.EscapeString(raw); esc != raw {
				pairs = append(pairs, esc, html.EscapeString(m))
			}
		}
	}
	for _, e := range h.Log.Entries {
		add(e.Request.URL)
		add(e.Response.RedirectURL)
		if loc, ok := Header(e.Response.Headers, "Location"); ok {
			add(loc)
		}
	}
	// Longer URLs first, so one that contains another is replaced whole.
	type pair struct{ from, to string }
	ps := make([]pair, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		ps = append(ps, pair{pairs[i], pairs[i+1]})
	}
	sort.Slice(ps, func(i, j int) bool { return len(ps[i].from) > len(ps[j].from) })
	pairs = pairs[:0]
	for _, p := range ps {
		pairs = append(pairs, p.from, p.to)
	}
	if len(pairs) == 0 {
		return nil
	}
	return strings.NewReplacer(pairs...)
}

// free masks a string that may be a URL or free text (a page title, an
// initiator member).
func (r *redactor) free(s string) string {
	if s == "" || s == Masked {
		return s
	}
	if (strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")) && !strings.ContainsAny(s, " \t\n\"") {
		return r.url(s)
	}
	return r.text(s)
}

// extra masks every string value inside members a HAR writer added
// (Chrome's _initiator and its URLs, chrome-har's _initiator_detail JSON
// strings, Playwright's _securityDetails), keeping names and structure.
func (r *redactor) extra(v jsontext.Value) jsontext.Value {
	if len(v) == 0 || !bytes.ContainsRune(v, '"') {
		return v
	}
	dec := jsontext.NewDecoder(bytes.NewReader(v))
	var out bytes.Buffer
	enc := jsontext.NewEncoder(&out)
	changed := false
	for {
		kind, n := dec.StackIndex(dec.StackDepth())
		isName := kind == '{' && n%2 == 0
		tok, err := dec.ReadToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return v
		}
		if tok.Kind() == '"' && !isName {
			if s := tok.String(); s != "" {
				if ns := r.free(s); ns != s {
					tok, changed = jsontext.String(ns), true
				}
			}
		}
		if err := enc.WriteToken(tok); err != nil {
			return v
		}
	}
	if !changed {
		return v
	}
	return jsontext.Value(bytes.TrimSpace(out.Bytes()))
}

// identityFields are form and query fields that hold who is signing in.
var identityFields = map[string]bool{"loginfmt": true, "login": true, "username": true, "email": true, "login_hint": true}

// identityClaims are SAML attributes that name the user.
var identityClaims = map[string]bool{
	"email": true, "lastname": true, "firstname": true, "displayname": true, "name": true,
	"emailaddress": true, "upn": true, "givenname": true, "surname": true,
}

// identities collects the user's names from the file, longest first so a
// longer one is masked before a shorter one it contains.
func identities(h *HAR, kept func(string) bool) []string {
	seen := map[string]bool{}
	add := func(v string) {
		// Some browsers keep form values percent-encoded.
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		v = strings.TrimSpace(v)
		if len(v) >= 4 && v != Masked {
			seen[v] = true
		}
	}
	saml := func(v string) {
		x, _, err := samlmsg.Decode(v)
		if err != nil {
			return
		}
		m, err := samlmsg.Parse(x)
		if err != nil {
			return
		}
		for _, a := range m.Assertions {
			if !kept("NameID") {
				add(a.NameID)
			}
			for _, at := range a.Attributes {
				base := at.Name[strings.LastIndexAny(at.Name, "/:")+1:]
				if identityClaims[strings.ToLower(base)] && !kept(at.Name) {
					for _, v := range at.Values {
						add(v)
					}
				}
			}
		}
	}
	for _, e := range h.Log.Entries {
		fields := append([]NameValue{}, e.Request.QueryString...)
		if pd := e.Request.PostData; pd != nil {
			for _, p := range pd.Params {
				fields = append(fields, NameValue{Name: p.Name, Value: p.Value})
			}
			if len(pd.Params) == 0 && strings.Contains(strings.ToLower(pd.MimeType), "form-urlencoded") {
				for _, q := range orderedQuery(pd.Text) {
					fields = append(fields, q)
				}
			}
		}
		for _, f := range fields {
			switch {
			case identityFields[strings.ToLower(f.Name)] && !kept(f.Name):
				add(f.Value)
			case f.Name == "SAMLResponse":
				saml(f.Value)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// maskNames replaces the names the pages show, plain or URL-escaped.
func (r *redactor) maskNames(s string) string {
	for _, n := range r.names {
		for _, form := range []string{n, url.QueryEscape(n), html.EscapeString(n)} {
			if c := strings.Count(s, form); c > 0 {
				s = strings.ReplaceAll(s, form, Masked)
				r.counts.add(KindName, c)
			}
		}
	}
	return s
}

// maskAddresses replaces every email address or UPN.
func (r *redactor) maskAddresses(s string) string {
	if r.kept(KindAddress) || !strings.Contains(s, "@") && !strings.Contains(s, "%40") {
		return s
	}
	return addressRE.ReplaceAllStringFunc(s, func(string) string {
		r.counts.add(KindAddress, 1)
		return Masked
	})
}

// maskIdentities replaces the user's names, plain or URL-escaped.
func (r *redactor) maskIdentities(s string) string {
	for _, id := range r.identities {
		for _, form := range []string{id, url.QueryEscape(id), url.PathEscape(id)} {
			if n := strings.Count(s, form); n > 0 {
				s = strings.ReplaceAll(s, form, Masked)
				r.counts.add(KindUsername, n)
			}
		}
	}
	return s
}

func (r *redactor) entry(e *Entry) {
	rq, rs := &e.Request, &e.Response
	e.Extra, rq.Extra, rs.Extra = r.extra(e.Extra), r.extra(rq.Extra), r.extra(rs.Extra)
	rs.Content.Extra = r.extra(rs.Content.Extra)
	if rq.PostData != nil {
		rq.PostData.Extra = r.extra(rq.PostData.Extra)
	}
	rq.URL = r.url(rq.URL)
	rs.RedirectURL = r.url(rs.RedirectURL)
	for i := range rq.QueryString {
		q := &rq.QueryString[i]
		q.Value = r.param(q.Name, q.Value)
	}
	r.headers(rq.Headers, false)
	r.headers(rs.Headers, true)
	r.cookies(rq.Cookies)
	r.cookies(rs.Cookies)
	if pd := rq.PostData; pd != nil {
		for i := range pd.Params {
			p := &pd.Params[i]
			p.Value = r.param(p.Name, p.Value)
		}
		pd.Text = r.body(pd.MimeType, pd.Text)
	}
	r.content(&rs.Content)
}

func (r *redactor) headers(hs []NameValue, response bool) {
	for i := range hs {
		h := &hs[i]
		name := strings.ToLower(h.Name)
		if r.kept(name) || h.Value == "" {
			continue
		}
		switch {
		case name == "cookie":
			h.Value = r.cookieHeader(h.Value)
		case name == "set-cookie":
			h.Value = r.setCookie(h.Value)
		case name == "authorization" || name == "proxy-authorization":
			masked := Masked
			if scheme, _, ok := strings.Cut(h.Value, " "); ok && !strings.Contains(scheme, "=") {
				masked = scheme + " " + Masked
			}
			if h.Value != masked {
				h.Value = masked
				r.counts.add(KindAuthorization, 1)
			}
		case isAuthHeader(name):
			if h.Value != Masked {
				h.Value = Masked
				r.counts.add(KindAuthHeader, 1)
			}
		case name == "location" || name == "referer" || name == "content-location" || name == ":path":
			h.Value = r.url(h.Value)
		default:
			h.Value = r.text(h.Value)
		}
	}
}

// isAuthHeader is true for headers that carry credentials by their name.
func isAuthHeader(name string) bool {
	if strings.HasPrefix(name, ":") || name == "www-authenticate" || name == "authority" {
		return false
	}
	return strings.Contains(name, "token") || strings.Contains(name, "api-key") || strings.Contains(name, "apikey") ||
		strings.Contains(name, "secret") || strings.Contains(name, "auth") || strings.Contains(name, "csrf")
}

func (r *redactor) cookies(cs []Cookie) {
	for i := range cs {
		c := &cs[i]
		if c.Value == "" || c.Value == Masked || r.kept(c.Name) {
			continue
		}
		c.Value = Masked
		r.counts.add(KindCookie, 1)
	}
}

func (r *redactor) cookieHeader(v string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(val) == "" || val == Masked || r.kept(strings.TrimSpace(name)) {
			continue
		}
		parts[i] = name + "=" + Masked
		r.counts.add(KindCookie, 1)
	}
	return strings.Join(parts, ";")
}

func (r *redactor) setCookie(v string) string {
	// Browsers join several Set-Cookie headers with newlines.
	lines := strings.Split(v, "\n")
	for i, line := range lines {
		first, rest, _ := strings.Cut(line, ";")
		name, val, ok := strings.Cut(first, "=")
		if !ok || strings.TrimSpace(val) == "" || val == Masked || r.kept(strings.TrimSpace(name)) {
			continue
		}
		lines[i] = name + "=" + Masked
		if rest != "" {
			lines[i] += ";" + rest
		}
		r.counts.add(KindSetCookie, 1)
	}
	return strings.Join(lines, "\n")
}

// url masks secret query (and fragment) parameters of a URL, rewriting
// only the values it changes.
func (r *redactor) url(raw string) string {
	if raw == "" {
		return raw
	}
	base, frag, hasFrag := strings.Cut(raw, "#")
	path, query, hasQuery := strings.Cut(base, "?")
	path = r.maskAddresses(r.maskIdentities(path))
	base = path
	if hasQuery {
		query = r.query(query)
		base = path + "?" + query
	}
	if hasFrag {
		frag = r.query(frag)
		return base + "#" + frag
	}
	return base
}

// query masks a form-encoded string (a URL query or a form body).
func (r *redactor) query(q string) string {
	if !strings.Contains(q, "=") {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			// A value with a stray % cannot be decoded; mask it whole if
			// its name says it is secret.
			if paramKinds[strings.ToLower(name)] != "" || isSAMLParam(name) {
				parts[i] = k + "=" + Masked
			}
			continue
		}
		nv := r.param(name, val)
		if nv != val {
			parts[i] = k + "=" + url.QueryEscape(nv)
		}
	}
	return strings.Join(parts, "&")
}

func isSAMLParam(name string) bool { return name == "SAMLRequest" || name == "SAMLResponse" }

// param masks one named value (a query, form or input field).
func (r *redactor) param(name, value string) string {
	if value == "" || value == Masked || r.kept(name) {
		return value
	}
	if isSAMLParam(name) {
		out, counts := samlmsg.RedactValue(value, r.kept)
		r.counts.merge(counts)
		return out
	}
	if kind := paramKinds[strings.ToLower(name)]; kind != "" && !r.kept(kind) {
		r.counts.add(kind, 1)
		return Masked
	}
	return r.text(value)
}

// content masks a response body, decoding base64 first.
func (r *redactor) content(c *Content) {
	if c.Text == "" || !IsText(c.MimeType) && !strings.Contains(strings.ToLower(c.MimeType), "html") {
		return
	}
	body, truncated := c.Body()
	out := r.body(c.MimeType, string(body))
	if out == string(body) {
		return
	}
	if c.Encoding == "base64" {
		c.Text = base64.StdEncoding.EncodeToString([]byte(out))
	} else {
		c.Text = out
	}
	// The size follows the masked body, so a whole body does not read as
	// one the browser cut short.
	if !truncated && c.Size > 0 {
		c.Size = int64(len(out))
	}
}

// body masks a request or response body by its type.
func (r *redactor) body(mimeType, text string) string {
	if text == "" {
		return text
	}
	mt := strings.ToLower(mimeType)
	switch {
	case strings.Contains(mt, "x-www-form-urlencoded"):
		text = r.query(text)
	case strings.Contains(mt, "html"):
		text = r.html(text)
	}
	return r.text(text)
}

// html masks the values of secret hidden inputs (Entra's auto-post form,
// its login form) and leaves the rest of the page byte for byte.
func (r *redactor) html(page string) string {
	if !strings.Contains(strings.ToLower(page), "<input") {
		return page
	}
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(page))
	changed := false
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := z.Raw()
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			b.Write(raw)
			continue
		}
		raw = append([]byte(nil), raw...)
		tok := z.Token()
		if tok.Data != "input" {
			b.Write(raw)
			continue
		}
		name := attr(tok, "name")
		done := false
		for i, a := range tok.Attr {
			if a.Key != "value" || name == "" {
				continue
			}
			nv := r.param(name, a.Val)
			if nv != a.Val {
				tok.Attr[i].Val = nv
				done = true
			}
		}
		if done {
			b.WriteString(tok.String())
			changed = true
		} else {
			b.Write(raw)
		}
	}
	if !changed {
		return page
	}
	return b.String()
}

// text masks tokens in free text: JSON members with secret names, OAuth
// parameters in URLs, bearer tokens, JWTs and PAT-like strings.
func (r *redactor) text(s string) string {
	if s == "" || s == Masked {
		return s
	}
	if r.urls != nil && strings.Contains(s, "://") {
		if ns := r.urls.Replace(s); ns != s {
			r.counts.add(KindURL, 1)
			s = ns
		}
	}
	s = r.maskIdentities(s)
	s = r.maskNames(s)
	s = r.maskAddresses(s)
	if strings.Contains(s, `"`) {
		s = jsonKeyRE.ReplaceAllStringFunc(s, func(m string) string {
			sm := jsonKeyRE.FindStringSubmatch(m)
			kind := jsonKinds[strings.ToLower(sm[1])]
			if kind == "" || sm[3] == "" || sm[3] == Masked || r.kept(sm[1]) || r.kept(kind) {
				return m
			}
			r.counts.add(kind, 1)
			return `"` + sm[1] + `"` + sm[2] + `"` + Masked + `"`
		})
	}
	if strings.ContainsAny(s, "?&#") {
		s = urlParamRE.ReplaceAllStringFunc(s, func(m string) string {
			sm := urlParamRE.FindStringSubmatch(m)
			name := strings.ToLower(strings.TrimSuffix(sm[1][1:], "="))
			if sm[2] == Masked || r.kept(name) {
				return m
			}
			r.counts.add(paramKinds[name], 1)
			return sm[1] + Masked
		})
	}
	if !r.kept(KindBearer) {
		s = bearerRE.ReplaceAllStringFunc(s, func(m string) string {
			sm := bearerRE.FindStringSubmatch(m)
			if sm[2] == Masked {
				return m
			}
			r.counts.add(KindBearer, 1)
			return sm[1] + " " + Masked
		})
	}
	if !r.kept(KindJWT) && strings.Contains(s, "eyJ") {
		s = jwtRE.ReplaceAllStringFunc(s, func(string) string {
			r.counts.add(KindJWT, 1)
			return Masked
		})
	}
	if !r.kept(KindPAT) && strings.Contains(s, "_") {
		s = patRE.ReplaceAllStringFunc(s, func(m string) string {
			if !looksSecret(m[strings.IndexByte(m, '_')+1:]) {
				return m
			}
			r.counts.add(KindPAT, 1)
			return Masked
		})
	}
	return s
}

// looksSecret tells a random token tail from a long identifier: it has
// digits and letters of both cases, or is long hex.
func looksSecret(tail string) bool {
	var digit, upper, lower int
	for _, c := range tail {
		switch {
		case c >= '0' && c <= '9':
			digit++
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		}
	}
	if digit > 0 && upper > 0 && lower > 0 {
		return true
	}
	return len(tail) >= 32 && digit > 0 && (upper == 0 || lower == 0) && digit+upper+lower == len(tail)
}
