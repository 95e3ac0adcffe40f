package mockidp

import (
	"bytes"
	"encoding/base64"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// The pages work without JavaScript: every step is a plain form, and the
// response page's only script is the auto-submit that a <noscript> button
// replaces (postPage). Element IDs follow Entra's (i0116 for the username, i0118 for
// the password, idSIButton9 for the primary button) so browser scripts
// written against Entra work here too.
var pages = template.Must(template.New("pages").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.}}</title>
<style>
body{font-family:"Segoe UI",Helvetica,Arial,sans-serif;background:#f2f2f2;margin:0;color:#1b1b1b}
main{background:#fff;max-width:440px;margin:8vh auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.logo{font-weight:600;color:#737373;margin-bottom:16px}
h1{font-size:1.5rem;font-weight:600;margin:0 0 16px}
.tile{display:block;width:100%;text-align:left;background:none;border:0;border-bottom:1px solid #e6e6e6;padding:12px 0;cursor:pointer;font:inherit}
.tile small{display:block;color:#605e5c}
input[type=email],input[type=password],input[type=text]{width:100%;box-sizing:border-box;border:0;border-bottom:1px solid #666;padding:6px 0;font:inherit;margin:8px 0 16px}
.primary{background:#0067b8;color:#fff;border:0;padding:6px 24px;font:inherit;cursor:pointer}
.secondary{background:#ccc;color:#1b1b1b;border:0;padding:6px 24px;font:inherit;cursor:pointer;margin-right:8px}
.mock-only{margin-top:32px;border:2px dashed #c87800;background:#fff8e6;padding:8px 12px}
.mock-only h2{font-size:.95rem;margin:0 0 4px;color:#8a5300}.mock-note{font-size:.8rem;color:#605e5c;margin:0 0 4px}
.error{color:#e81123;margin:8px 0}
.aadsts{color:#605e5c;font-size:.8rem}
details{margin-top:24px;font-size:.85rem}
dt{font-weight:600;display:inline}dd{display:inline;margin:0}dd:after{content:"";display:block}
</style></head><body><main><div class="logo">Microsoft</div>{{end}}
{{define "foot"}}</main></body></html>{{end}}

{{define "picker"}}{{template "head" "Sign in to your account"}}
{{if .Tiles}}<h1 id="pickerHeading">Pick an account</h1>
{{.Tiles}}<h2><label for="i0116">Use another account</label></h2>
{{else}}<h1 id="loginHeader">Sign in</h1>
{{end}}<form method="post" action="{{.Action}}" id="i0281">
<input type="hidden" name="ctx" value="{{.Ctx}}">
{{if .Error}}<div id="usernameError" class="error" role="alert">{{.Error}}</div>{{if .Code}}<p class="aadsts">{{.Code}}: {{.CodeMessage}}</p>{{end}}{{end}}
<input type="email" name="loginfmt" id="i0116" value="{{.LoginHint}}" placeholder="Email, phone, or Skype" autocomplete="username"{{if not .Tiles}} autofocus{{end}}>
<input class="primary" type="submit" id="idSIButton9" value="Next">
</form>
{{if .Demo}}<aside id="demoUsers" class="mock-only" aria-label="ssowiz demo users">
<h2>ssowiz demo users</h2>
<p class="mock-note">Not part of Entra's page: the mock lists its tenant's users to click for demos. Entra never lists a directory. <code>ssowiz serve --no-demo-hint</code> hides this box.</p>
{{.Demo}}</aside>{{end}}
{{template "foot"}}{{end}}

{{define "password"}}{{template "head" "Sign in to your account"}}
<div id="displayName">{{.UPN}}</div>
<h1 id="loginHeader">Enter password</h1>
<form method="post" action="{{.Action}}" id="passwordForm">
<input type="hidden" name="ctx" value="{{.Ctx}}"><input type="hidden" name="loginfmt" value="{{.UPN}}">
{{if .Error}}<div id="passwordError" class="error" role="alert">{{.Error}}</div>{{if .Code}}<p class="aadsts">{{.Code}}: {{.CodeMessage}}</p>{{end}}{{end}}
<label for="i0118">Password</label>
<input type="password" name="passwd" id="i0118" autocomplete="current-password" autofocus>
<input class="primary" type="submit" id="idSIButton9" value="Sign in">
</form>
{{template "foot"}}{{end}}

{{define "kmsi"}}{{template "head" "Sign in to your account"}}
<div id="displayName">{{.UPN}}</div>
<h1 id="kmsiTitle">Stay signed in?</h1>
<p id="KmsiDescription">Do this to reduce the number of times you are asked to sign in.</p>
<form method="post" action="{{.Action}}" id="kmsiForm">
<input type="hidden" name="ctx" value="{{.Ctx}}"><input type="hidden" name="type" value="28">
<p><label><input type="checkbox" name="DontShowAgain" id="KmsiCheckboxField" value="true"> Don't show this again</label></p>
<button class="secondary" type="submit" name="LoginOptions" value="3" id="idBtn_Back">No</button>
<button class="primary" type="submit" name="LoginOptions" value="1" id="idSIButton9">Yes</button>
</form>
{{template "foot"}}{{end}}

{{define "error"}}{{template "head" .Title}}
<h1 id="errorHeading">Sorry, but we’re having trouble signing you in.</h1>
<div id="errorMessage"><p>{{.Code}}: {{.Message}}</p></div>
<details id="troubleshooting" open><summary>Troubleshooting details</summary>
<p>If you contact your administrator, send this info to them.</p>
<dl>
<dt>Request Id: </dt><dd id="requestId">{{.RequestID}}</dd>
<dt>Correlation Id: </dt><dd id="correlationId">{{.CorrelationID}}</dd>
<dt>Timestamp: </dt><dd id="timestamp">{{.Timestamp}}</dd>
<dt>Message: </dt><dd id="message">{{.Code}}: {{.Message}}</dd>
</dl>
</details>
{{template "foot"}}{{end}}

`))

type pickerUser struct{ UPN, Name string }

type pickerData struct {
	Action, Ctx, LoginHint string
	// Tiles are the forms of the accounts this browser used, from
	// accountTiles; empty on a fresh browser ("Sign in").
	Tiles template.HTML
	// Demo is the mock-only demo users box's forms, when configured.
	Demo        template.HTML
	Error, Code string
	CodeMessage string
}

// accountTiles writes the picker's tiles: one form per account, each
// posting the flow's ctx and the account's loginfmt. They are written
// directly rather than by a template range: every tile repeats the action
// and the long ctx, and the template's escaping of them, through
// reflection, cost most of the picker's time on every sign-in. Every value
// is HTML-escaped.
//
// testAttr names the button attribute that carries the UPN (data-test-id
// for the accounts, data-demo-upn for the demo box).
func accountTiles(action, ctx string, users []pickerUser, testAttr string) template.HTML {
	action, ctx = html.EscapeString(action), html.EscapeString(ctx)
	var b strings.Builder
	b.Grow(len(users) * (256 + len(action) + len(ctx)))
	for _, u := range users {
		upn := html.EscapeString(u.UPN)
		b.WriteString(`<form method="post" action="`)
		b.WriteString(action)
		b.WriteString(`">` + "\n" + `<input type="hidden" name="ctx" value="`)
		b.WriteString(ctx)
		b.WriteString(`"><input type="hidden" name="loginfmt" value="`)
		b.WriteString(upn)
		b.WriteString(`">` + "\n" + `<button class="tile" type="submit" ` + testAttr + `="`)
		b.WriteString(upn)
		b.WriteString(`">`)
		b.WriteString(html.EscapeString(u.Name))
		b.WriteString(`<small>`)
		b.WriteString(upn)
		b.WriteString(`</small></button>` + "\n" + `</form>` + "\n")
	}
	return template.HTML(b.String())
}

type passwordData struct {
	Action, Ctx, UPN string
	Error, Code      string
	CodeMessage      string
}

// postPage is Entra's auto-posting response page, written directly: it
// is on every sign-in's path, and template escaping of a long base64 value
// costs a noticeable share of the budget. The response is base64-encoded
// straight into the page (base64 needs no escaping); the action and
// RelayState are escaped.
func postPage(action string, response []byte, relayState string) []byte {
	const (
		head  = `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="`
		input = `"><input type="hidden" name="SAMLResponse" value="`
		relay = `<input type="hidden" name="RelayState" value="`
		end   = `" />`
		tail  = `<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form>` +
			`<script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>`
	)
	action, relayState = html.EscapeString(action), html.EscapeString(relayState)
	b := make([]byte, 0, len(head)+len(action)+len(input)+base64.StdEncoding.EncodedLen(len(response))+
		2*len(end)+len(relay)+len(relayState)+len(tail))
	b = append(b, head...)
	b = append(b, action...)
	b = append(b, input...)
	b = base64.StdEncoding.AppendEncode(b, response)
	b = append(b, end...)
	if relayState != "" {
		b = append(b, relay...)
		b = append(b, relayState...)
		b = append(b, end...)
	}
	return append(b, tail...)
}

// render executes a template into a buffer first, so a template error
// never leaves a half-written page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	// Room for any of the pages at once, rather than doubling up to it.
	buf.Grow(8 << 10)
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
