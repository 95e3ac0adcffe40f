package hartest

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/ssowiz/ssowiz/internal/har"
)

// The values of the guide, and the planted secrets. Every Secret* value
// is unique in a built HAR, so a test can look for it after redaction.
const (
	Tenant       = "aaaabbbb-0000-cccc-1111-dddd2222eeee"
	EntityID     = "urn:amazon:cognito:sp:us-east-1_ABZiTjXia"
	ACSURL       = "https://auth2.rudderstack.com/saml2/idpresponse"
	StartURL     = "https://app.rudderstack.com/sso"
	RedirectURI  = "https://app.rudderstack.com/callback"
	UserUPN      = "alice@contoso.com"
	UserName     = "Alice Example"
	RequestID    = "_dd0a3436-bc64-4679-a0c2-cb4454f04184"
	ResponseID   = "_6bfff445-8077-42ac-ac02-fd68ee76e932"
	AssertionID  = "_81f43d08-ad43-4d90-83f6-0ef40b4a1f00"
	SecretPasswd = "Pa55w0rd-Planted-Secret"
	SecretCookie = "ESTSAUTHplantedCookieValue77"
	SecretAppSID = "appSessionPlantedCookie88"
	SecretCode   = "authCodePlanted99"
	SecretState  = "oauthStatePlanted11"
	SecretRelay  = "relayStatePlantedOpaqueCognitoToken0123456789"
	SecretFlow   = "flowTokenPlanted22"
	SecretCanary = "canaryPlanted33"
	SecretJWT    = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.c2lnUGxhbnRlZA"
	SecretRT     = "refreshTokenPlanted44"
	SecretPAT    = "rudder_pat_Planted7Kq2Zx9Lm4Np6Rt8Vw"
	SecretXSRF   = "xsrfPlanted55"
)

// Secrets lists the planted values that must not survive redaction (the
// user's UPN and name too: they sit inside the SAML messages).
func Secrets() []string {
	return []string{SecretPasswd, SecretCookie, SecretAppSID, SecretCode, SecretState, SecretRelay,
		SecretFlow, SecretCanary, SecretJWT, SecretRT, SecretPAT, SecretXSRF}
}

// Flow describes one sign-in to build. The zero value is a successful
// SP-initiated sign-in started at /sso; each field breaks it one way.
type Flow struct {
	// Base is the browser's time at the first entry; default 2027-03-02
	// 15:04:05Z.
	Base time.Time
	// NoStartAtSSO begins the capture at Cognito's /oauth2/authorize.
	NoStartAtSSO bool
	// IdPInitiated starts from the My Apps tile: no AuthnRequest, no
	// InResponseTo, and Cognito's "Invalid samlResponse or relayState"
	// page (or, with NoRelayState, "Required String parameter…").
	IdPInitiated bool
	// EntraError shows this AADSTS code on Entra's page instead of
	// posting a response: request-level codes (50011, 700016, 750054)
	// right after the AuthnRequest, others (50126, 50105) after sign-in.
	EntraError string
	// StatusError makes Entra post a SAML error Response with this
	// message (say "AADSTS75011: …").
	StatusError string
	// ReplyURL is where Entra sends the response (Destination, Recipient,
	// the form action); default ACSURL.
	ReplyURL string
	// Audience overrides the assertion's Audience; default EntityID.
	Audience string
	// OmitAttributes drops these claims from the assertion.
	OmitAttributes []string
	// RenameAttributes sends a claim under another name (Email→email).
	RenameAttributes map[string]string
	// Skew is how far Entra's clock is ahead of the browser's.
	Skew time.Duration
	// PostDelay is how long the browser waits before posting the
	// response to the SP.
	PostDelay time.Duration
	// NoRelayState drops RelayState from the request and the response.
	NoRelayState bool
	// CognitoError makes the ACS redirect to the app with
	// error=server_error&error_description=<this>.
	CognitoError string
	// Signer signs the assertion; default KeyA.
	Signer *Signer
	// Base64Pages stores Entra's HTML pages base64-encoded with a
	// compression count, as some exports do.
	Base64Pages bool
	// TruncateResponseForm cuts Entra's auto-post page short in the
	// HAR (the browser kept only part of it), and drops the ACS post.
	TruncateResponseForm bool
	// Noise adds this many unrelated entries (scripts, images, API calls)
	// around the flow.
	Noise int
	// NoiseBodySize is the size of each noise body; default 2 KiB.
	NoiseBodySize int
	// SignResponse signs the Response instead of the assertion.
	SignResponse bool
}

type builder struct {
	f       Flow
	t       time.Time
	entries []har.Entry
	pages   []har.Page
	page    string
	noise   int
}

// Build returns the flow as a Chrome-shaped HAR.
func (f Flow) Build() *har.HAR {
	if f.Base.IsZero() {
		f.Base = time.Date(2027, 3, 2, 15, 4, 5, 0, time.UTC)
	}
	if f.ReplyURL == "" {
		f.ReplyURL = ACSURL
	}
	if f.Audience == "" {
		f.Audience = EntityID
	}
	if f.Signer == nil {
		f.Signer = KeyA()
	}
	if f.NoiseBodySize == 0 {
		f.NoiseBodySize = 2048
	}
	b := &builder{f: f, t: f.Base}
	b.build()
	return &har.HAR{Log: har.Log{
		Version: "1.2",
		Creator: har.Creator{Name: "WebInspector", Version: "537.36"},
		Pages:   b.pages,
		Entries: b.entries,
	}}
}

// Bytes returns the built HAR as JSON.
func (f Flow) Bytes() []byte {
	var buf bytes.Buffer
	if err := har.Write(&buf, f.Build()); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func (b *builder) newPage(title string) {
	id := fmt.Sprintf("page_%d", len(b.pages)+1)
	onLoad := 812.5
	b.pages = append(b.pages, har.Page{
		StartedDateTime: b.t.Format("2006-01-02T15:04:05.000Z"),
		ID:              id, Title: title,
		PageTimings: har.PageTimings{OnContentLoad: &onLoad, OnLoad: &onLoad},
	})
	b.page = id
}

func (b *builder) build() {
	f := b.f
	relay := SecretRelay
	if f.NoRelayState {
		relay = ""
	}
	b.noiseBurst(f.Noise / 2)
	if f.IdPInitiated {
		b.newPage("My Apps")
		b.get("https://myapps.microsoft.com/", 200, "text/html", "<html><body>My Apps</body></html>", nil, "document")
		b.idpResponse("")
		return
	}
	if !f.NoStartAtSSO {
		b.newPage("RudderStack")
		b.get(StartURL, 200, "text/html", `<html><body><form action="/sso"><input name="email"></form></body></html>`,
			[]har.NameValue{{Name: "Set-Cookie", Value: "XSRF-TOKEN=" + SecretXSRF + "; Path=/; Secure"}}, "document")
	} else {
		b.newPage("Sign in")
	}
	authorize := "https://auth2.rudderstack.com/oauth2/authorize?identity_provider=EntraID&client_id=4example0client&redirect_uri=" +
		url.QueryEscape(RedirectURI) + "&response_type=code&scope=openid+email&state=" + SecretState
	req := AuthnRequest{ID: RequestID, Issuer: EntityID, ACSURL: ACSURL,
		Destination: "https://login.microsoftonline.com/" + Tenant + "/saml2", IssueInstant: b.t}
	samlURL := req.Destination + "?SAMLRequest=" + url.QueryEscape(deflateB64(req.XML()))
	if relay != "" {
		samlURL += "&RelayState=" + url.QueryEscape(relay)
	}
	b.redirect(authorize, samlURL, []har.NameValue{{Name: "Set-Cookie", Value: "XSRF-TOKEN=" + SecretXSRF + "; Path=/; Secure; HttpOnly"}})
	b.newPage("Sign in to your account")
	if code := f.EntraError; code == "50011" || code == "700016" || code == "750054" || code == "90002" {
		b.get(samlURL, 200, "text/html", entraErrorPage(code), b.entraCookies(), "document")
		b.noiseBurst(f.Noise - f.Noise/2)
		return
	}
	b.get(samlURL, 200, "text/html", entraLoginPage(), b.entraCookies(), "document")
	b.noiseBurst((f.Noise - f.Noise/2) / 2)
	b.idpResponse(RequestID)
	b.noiseBurst(f.Noise - f.Noise/2 - (f.Noise-f.Noise/2)/2)
}

// idpResponse posts the credentials and, unless Entra errs, carries the
// response to the SP and back to the app.
func (b *builder) idpResponse(inResponseTo string) {
	f := b.f
	relay := SecretRelay
	if f.NoRelayState {
		relay = ""
	}
	if f.IdPInitiated && !f.NoRelayState {
		relay = "https://app.rudderstack.com/"
	}
	form := []har.Param{
		{Name: "login", Value: UserUPN}, {Name: "loginfmt", Value: UserUPN}, {Name: "passwd", Value: SecretPasswd},
		{Name: "ctx", Value: SecretFlow}, {Name: "flowToken", Value: SecretFlow}, {Name: "canary", Value: SecretCanary},
	}
	loginURL := "https://login.microsoftonline.com/" + Tenant + "/login"
	if f.EntraError != "" {
		b.post(loginURL, form, 200, "text/html", entraErrorPage(f.EntraError), "document")
		return
	}
	resp := SAMLResponse{
		ID: ResponseID, AssertionID: AssertionID, InResponseTo: inResponseTo,
		Issuer: "https://sts.windows.net/" + Tenant + "/", Destination: f.ReplyURL, Audience: f.Audience,
		NameID: UserUPN, IssueInstant: b.t.Add(f.Skew), Signer: f.Signer, SignResponse: f.SignResponse,
	}
	attrs := []Attr{
		{"http://schemas.microsoft.com/identity/claims/tenantid", []string{Tenant}},
		{"http://schemas.microsoft.com/identity/claims/objectidentifier", []string{"aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"}},
		{"http://schemas.microsoft.com/identity/claims/displayname", []string{UserName}},
		{"http://schemas.microsoft.com/identity/claims/identityprovider", []string{"https://sts.windows.net/" + Tenant + "/"}},
		{"http://schemas.microsoft.com/claims/authnmethodsreferences", []string{"http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"}},
		{"Email", []string{UserUPN}},
		{"LastName", []string{UserName}},
	}
	for _, a := range attrs {
		omit := false
		for _, o := range f.OmitAttributes {
			omit = omit || o == a.Name
		}
		if omit {
			continue
		}
		if n, ok := f.RenameAttributes[a.Name]; ok {
			a.Name = n
		}
		resp.Attributes = append(resp.Attributes, a)
	}
	if f.StatusError != "" {
		resp.StatusCode = "urn:oasis:names:tc:SAML:2.0:status:Requester"
		resp.StatusSubCode = "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported"
		resp.StatusMessage = f.StatusError
	}
	xml, err := resp.XML()
	if err != nil {
		panic(err)
	}
	samlResponse := base64.StdEncoding.EncodeToString([]byte(xml))
	page := autoPostPage(f.ReplyURL, samlResponse, relay, !f.NoRelayState)
	entry := b.post(loginURL, form, 200, "text/html", page, "document")
	if f.TruncateResponseForm {
		c := &b.entries[entry].Response.Content
		if c.Encoding == "base64" {
			c.Text = c.Text[:len(c.Text)/2]
		} else {
			c.Text = c.Text[:len(c.Text)/2]
		}
		return
	}
	b.t = b.t.Add(f.PostDelay)
	ack := []har.Param{{Name: "SAMLResponse", Value: samlResponse}}
	if !f.NoRelayState {
		ack = append(ack, har.Param{Name: "RelayState", Value: relay})
	}
	b.newPage("RudderStack")
	switch {
	case f.StatusError != "":
		b.post(f.ReplyURL, ack, 400, "text/html", "", "document")
		return
	case f.IdPInitiated && f.NoRelayState:
		b.post(f.ReplyURL, ack, 400, "text/html", cognitoPage("Required String parameter 'RelayState' is not present"), "document")
		return
	case f.IdPInitiated:
		b.post(f.ReplyURL, ack, 400, "text/html", cognitoPage("Invalid samlResponse or relayState from identity provider"), "document")
		return
	case f.ReplyURL != ACSURL:
		b.post(f.ReplyURL, ack, 404, "text/html", cognitoPage("An error was encountered with the requested page."), "document")
		return
	case f.NoRelayState:
		b.post(f.ReplyURL, ack, 400, "text/html", cognitoPage("Required String parameter 'RelayState' is not present"), "document")
		return
	}
	var landing string
	if f.CognitoError != "" {
		landing = RedirectURI + "?error_description=" + url.QueryEscape(f.CognitoError) + "&error=server_error"
	} else {
		landing = RedirectURI + "?code=" + SecretCode + "&state=" + SecretState
	}
	i := b.post(f.ReplyURL, ack, 302, "text/html", "", "document")
	b.entries[i].Response.Headers = append(b.entries[i].Response.Headers,
		har.NameValue{Name: "Location", Value: landing},
		har.NameValue{Name: "Set-Cookie", Value: "cognito=" + SecretAppSID + "; Path=/; Secure; HttpOnly"})
	b.entries[i].Response.RedirectURL = landing
	b.get(landing, 200, "text/html", "<html><body>RudderStack</body></html>", nil, "document")
	if f.CognitoError != "" {
		return
	}
	// The app exchanges the code and calls its API, as a browser app does.
	tokenForm := []har.Param{{Name: "grant_type", Value: "authorization_code"}, {Name: "code", Value: SecretCode},
		{Name: "code_verifier", Value: "verifierPlanted66Abc"}, {Name: "redirect_uri", Value: RedirectURI}}
	b.post("https://auth2.rudderstack.com/oauth2/token", tokenForm, 200, "application/json",
		`{"id_token":"`+SecretJWT+`","access_token":"`+SecretJWT+`","refresh_token":"`+SecretRT+`","expires_in":3600,"token_type":"Bearer"}`, "fetch")
	j := b.get("https://api.rudderstack.com/v2/tokens", 200, "application/json",
		`{"tokens":[{"name":"Entra SCIM","role":"ADMIN","token":"`+SecretPAT+`"}]}`, nil, "fetch")
	b.entries[j].Request.Headers = append(b.entries[j].Request.Headers,
		har.NameValue{Name: "Authorization", Value: "Bearer " + SecretJWT},
		har.NameValue{Name: "Cookie", Value: "cognito=" + SecretAppSID + "; XSRF-TOKEN=" + SecretXSRF})
	b.entries[j].Request.Cookies = []har.Cookie{{Name: "cognito", Value: SecretAppSID}, {Name: "XSRF-TOKEN", Value: SecretXSRF}}
}

func (b *builder) entraCookies() []har.NameValue {
	return []har.NameValue{
		{Name: "Set-Cookie", Value: "esctx=" + SecretCookie + "; domain=.login.microsoftonline.com; path=/; secure; HttpOnly; SameSite=None"},
		{Name: "Set-Cookie", Value: "fpc=" + SecretCookie + "x; expires=Fri, 02-Apr-2027 15:04:05 GMT; path=/; secure; HttpOnly"},
	}
}

func (b *builder) get(u string, status int, mime, body string, respHeaders []har.NameValue, resourceType string) int {
	return b.add("GET", u, nil, status, mime, body, respHeaders, resourceType)
}

func (b *builder) post(u string, form []har.Param, status int, mime, body, resourceType string) int {
	return b.add("POST", u, form, status, mime, body, nil, resourceType)
}

func (b *builder) redirect(from, to string, respHeaders []har.NameValue) int {
	i := b.add("GET", from, nil, 302, "text/html", "", append(respHeaders, har.NameValue{Name: "Location", Value: to}), "document")
	b.entries[i].Response.RedirectURL = to
	return i
}

// add appends a Chrome-shaped entry and advances the clock.
func (b *builder) add(method, rawURL string, form []har.Param, status int, mime, body string, respHeaders []har.NameValue, resourceType string) int {
	u, _ := url.Parse(rawURL)
	e := har.Entry{
		Pageref:         b.page,
		StartedDateTime: b.t.Format("2006-01-02T15:04:05.000Z"),
		Request: har.Request{
			Method: method, URL: rawURL, HTTPVersion: "http/2.0",
			Cookies: []har.Cookie{},
			Headers: []har.NameValue{
				{Name: ":authority", Value: u.Host}, {Name: ":method", Value: method},
				{Name: ":path", Value: u.RequestURI()}, {Name: ":scheme", Value: "https"},
				{Name: "accept", Value: "text/html,application/xhtml+xml,*/*;q=0.8"},
				{Name: "user-agent", Value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"},
			},
			QueryString: queryList(u.RawQuery),
			HeadersSize: -1, BodySize: 0,
		},
		Response: har.Response{
			Status: status, StatusText: "", HTTPVersion: "http/2.0",
			Cookies: []har.Cookie{}, Headers: []har.NameValue{{Name: "content-type", Value: mime}},
			RedirectURL: "", HeadersSize: -1, BodySize: int64(len(body)),
			Content: har.Content{Size: int64(len(body)), MimeType: mime},
		},
		Cache:           har.Cache{},
		ServerIPAddress: "20.190.151.7",
		Connection:      "443",
	}
	if len(b.entries) > 0 {
		prev := b.entries[len(b.entries)-1].Request.URL
		e.Request.Headers = append(e.Request.Headers, har.NameValue{Name: "referer", Value: prev})
	}
	e.Response.Headers = append(e.Response.Headers, respHeaders...)
	if form != nil {
		v := make([]string, len(form))
		for i, p := range form {
			v[i] = url.QueryEscape(p.Name) + "=" + url.QueryEscape(p.Value)
		}
		text := strings.Join(v, "&")
		e.Request.PostData = &har.PostData{MimeType: "application/x-www-form-urlencoded", Text: text, Params: form}
		e.Request.BodySize = int64(len(text))
	}
	if body != "" {
		if b.f.Base64Pages && strings.Contains(mime, "html") && strings.Contains(u.Host, "microsoftonline") {
			comp := int64(len(body) / 3)
			e.Response.Content.Text = base64.StdEncoding.EncodeToString([]byte(body))
			e.Response.Content.Encoding = "base64"
			e.Response.Content.Compression = &comp
		} else {
			e.Response.Content.Text = body
		}
	}
	blocked, dns, ssl := 1.25, -1.0, -1.0
	e.Timings = har.Timings{Blocked: &blocked, DNS: &dns, Connect: &dns, SSL: &ssl, Send: 0.1, Wait: 80, Receive: 2.5}
	e.Time = 83.85
	e.Extra = extra(map[string]any{
		"_initiator":    map[string]any{"type": "other"},
		"_priority":     "VeryHigh",
		"_resourceType": resourceType,
	})
	e.Response.Extra = extra(map[string]any{"_transferSize": len(body) + 300, "_error": nil, "_fetchedViaServiceWorker": false})
	e.Timings.Extra = extra(map[string]any{"_blocked_queueing": 0.8, "_workerStart": -1, "_workerReady": -1})
	b.entries = append(b.entries, e)
	b.t = b.t.Add(300 * time.Millisecond)
	return len(b.entries) - 1
}

func extra(m map[string]any) jsontext.Value {
	b, err := json.Marshal(m, json.Deterministic(true))
	if err != nil {
		panic(err)
	}
	return b
}

// noiseBurst adds unrelated traffic: scripts, images and API calls.
func (b *builder) noiseBurst(n int) {
	for i := 0; i < n; i++ {
		b.noise++
		k := b.noise
		switch k % 4 {
		case 0:
			b.addNoise(fmt.Sprintf("https://app.rudderstack.com/static/js/chunk-%d.js", k), "application/javascript", noiseJS(k, b.f.NoiseBodySize), "", "script")
		case 1:
			img := make([]byte, b.f.NoiseBodySize*3/4)
			for j := range img {
				img[j] = byte(j*31 + k)
			}
			b.addNoise(fmt.Sprintf("https://cdn.rudderstack.com/img/icon-%d.png", k), "image/png", base64.StdEncoding.EncodeToString(img), "base64", "image")
		case 2:
			b.addNoise(fmt.Sprintf("https://api.rudderstack.com/v2/workspaces/%d/sources", k), "application/json", noiseJSON(k, b.f.NoiseBodySize), "", "fetch")
		case 3:
			// A body the browser cut short (truncated: text shorter than size).
			body := noiseJS(k, b.f.NoiseBodySize)
			i := b.addNoise(fmt.Sprintf("https://cdn.rudderstack.com/vendor-%d.js", k), "text/javascript", body[:len(body)/2], "", "script")
			b.entries[i].Response.Content.Size = int64(len(body))
		}
	}
}

func (b *builder) addNoise(u, mime, text, encoding, resourceType string) int {
	i := b.add("GET", u, nil, 200, mime, "", nil, resourceType)
	c := &b.entries[i].Response.Content
	c.Text, c.Encoding, c.Size = text, encoding, int64(len(text))
	comp := int64(len(text) / 2)
	c.Compression = &comp
	b.entries[i].Extra = extra(map[string]any{
		"_initiator":    map[string]any{"type": "script", "stack": map[string]any{"callFrames": []any{map[string]any{"functionName": "load", "url": "https://app.rudderstack.com/static/js/main.js", "lineNumber": 1, "columnNumber": 2048}}}},
		"_priority":     "Low",
		"_resourceType": resourceType,
	})
	b.t = b.t.Add(-290 * time.Millisecond) // noise overlaps: 10 ms apart
	return i
}

func noiseJS(k, size int) string {
	var s strings.Builder
	for s.Len() < size {
		fmt.Fprintf(&s, "function f%d_%d(e,t){var n=e.length;for(var r=0;r<n;r++){t.push(e[r]*%d)}return t}\n", k, s.Len(), k)
	}
	return s.String()[:size]
}

func noiseJSON(k, size int) string {
	var s strings.Builder
	s.WriteString(`{"sources":[`)
	for i := 0; s.Len() < size-40; i++ {
		if i > 0 {
			s.WriteString(",")
		}
		fmt.Fprintf(&s, `{"id":"src%d_%d","name":"Source %d","enabled":true,"writeKey":"wk%d"}`, k, i, i, i)
	}
	s.WriteString("]}")
	return s.String()
}

func queryList(raw string) []har.NameValue {
	out := []har.NameValue{}
	if raw == "" {
		return out
	}
	for _, p := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(p, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		out = append(out, har.NameValue{Name: k, Value: v})
	}
	return out
}

func deflateB64(s string) string {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Write([]byte(s))
	w.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func autoPostPage(action, samlResponse, relay string, withRelay bool) string {
	r := ""
	if withRelay {
		r = `<input type="hidden" name="RelayState" value="` + html.EscapeString(relay) + `" />`
	}
	return `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="` + html.EscapeString(action) + `">` +
		`<input type="hidden" name="SAMLResponse" value="` + samlResponse + `" />` + r +
		`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form>` +
		`<script language="javascript">document.forms[0].submit();</script></body></html>`
}

func entraLoginPage() string {
	return `<!DOCTYPE html><html><head><title>Sign in to your account</title><script>//<![CDATA[
$Config={"sFT":"` + SecretFlow + `","sCtx":"` + SecretFlow + `","canary":"` + SecretCanary + `","urlPost":"/` + Tenant + `/login","iMaxStackForKnockoutAsyncComponents":10000};
//]]></script></head><body><form name="f1" method="post" action="/` + Tenant + `/login"><input type="email" name="loginfmt"><input type="password" name="passwd"><input type="hidden" name="flowToken" value="` + SecretFlow + `"></form></body></html>`
}

// entraMessages are the messages Entra shows for the codes the fixtures
// use (reference §2.3).
var entraMessages = map[string]string{
	"50011":  "The redirect URI 'https://auth2.rudderstack.com/saml2/idpresponse' specified in the request does not match the redirect URIs configured for the application 'bbbbcccc-1111-dddd-2222-eeee3333ffff'.",
	"700016": "Application with identifier 'urn:amazon:cognito:sp:us-east-1_ABZiTjXia' was not found in the directory '" + Tenant + "'.",
	"750054": "SAMLRequest or SAMLResponse must be present as query string parameters in HTTP request for SAML Redirect binding.",
	"50105":  "Your administrator has configured the application RudderStack ('bbbbcccc-1111-dddd-2222-eeee3333ffff') to block users unless they are specifically granted ('assigned') access to the application.",
	"50126":  "Error validating credentials due to invalid username or password.",
	"90002":  "Tenant '" + Tenant + "' not found.",
}

// EntraMessage is the message the fixtures show for an AADSTS code.
func EntraMessage(code string) string { return entraMessages[code] }

func entraErrorPage(code string) string {
	msg := entraMessages[code]
	js := strings.ReplaceAll(msg, "'", `\u0027`)
	return `<!DOCTYPE html><html><head><title>Sign in to your account</title><script>//<![CDATA[
$Config={"iErrorCode":` + code + `,"strServiceExceptionMessage":"AADSTS` + code + `: ` + js + `","sFT":"` + SecretFlow + `","canary":"` + SecretCanary + `"};
//]]></script></head><body><div id="errorMessage">Sorry, but we're having trouble signing you in.</div>` +
		`<div>AADSTS` + code + `: ` + html.EscapeString(msg) + `</div><div>Request Id: 11112222-3333-4444-5555-666677778888</div>` +
		`<div>Correlation Id: 99990000-aaaa-bbbb-cccc-ddddeeeeffff</div><div>Timestamp: 2027-03-02T15:04:06Z</div></body></html>`
}

func cognitoPage(msg string) string {
	return `<!DOCTYPE html><html><head><title>Error</title></head><body><div class="container"><h1>An error was encountered</h1>` +
		`<p class="errorMessage">` + html.EscapeString(msg) + `</p></div></body></html>`
}

// Large writes a browser-shaped HAR of about size bytes: one successful
// SSO flow among scripts, images, API calls and truncated bodies of 16 KiB
// each, as a long browsing session's export looks.
func Large(size int64) []byte {
	const body = 16 << 10
	per := int64(body + 1900) // a noise entry's body and its JSON around it
	f := Flow{Noise: int(size / per), NoiseBodySize: body}
	return f.Bytes()
}

// Firefox rewrites a built HAR the way Firefox exports one: a browser
// member, local times with an offset, no Chrome extras but
// _securityState, MIME types with a charset, capitalised header names,
// and form parameters left percent-encoded.
func Firefox(h *har.HAR) *har.HAR {
	h.Log.Creator = har.Creator{Name: "Firefox", Version: "128.0"}
	h.Log.Browser = &har.Creator{Name: "Firefox", Version: "128.0"}
	cest := time.FixedZone("CEST", 2*60*60)
	local := func(s string) string {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return s
		}
		return t.In(cest).Format("2006-01-02T15:04:05.000-07:00")
	}
	for i := range h.Log.Pages {
		h.Log.Pages[i].StartedDateTime = local(h.Log.Pages[i].StartedDateTime)
	}
	for i := range h.Log.Entries {
		e := &h.Log.Entries[i]
		e.StartedDateTime = local(e.StartedDateTime)
		e.Extra = extra(map[string]any{"_securityState": "secure"})
		e.Response.Extra = nil
		e.Timings.Extra = nil
		e.Request.HTTPVersion, e.Response.HTTPVersion = "HTTP/2", "HTTP/2"
		for _, hs := range [][]har.NameValue{e.Request.Headers, e.Response.Headers} {
			for j := range hs {
				if !strings.HasPrefix(hs[j].Name, ":") {
					hs[j].Name = canonical(hs[j].Name)
				}
			}
		}
		if pd := e.Request.PostData; pd != nil {
			for j := range pd.Params {
				pd.Params[j].Value = url.QueryEscape(pd.Params[j].Value)
			}
		}
		if c := &e.Response.Content; strings.HasPrefix(c.MimeType, "text/") && !strings.Contains(c.MimeType, "charset") {
			c.MimeType += "; charset=utf-8"
		}
	}
	return h
}

func canonical(name string) string {
	parts := strings.Split(name, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}
