package sp

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/ssowiz/ssowiz/sp/internal/errpage"
)

const pageStyle = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1d1f}
main{max-width:40rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px #0002}
dt{font-weight:600;margin-top:.6rem}dd{margin:0}.error{color:#b00020}
h2{font-size:1.1rem;margin-top:1.6rem}.profile{display:grid;grid-template-columns:9rem 1fr;gap:.15rem .8rem}.profile dt{margin:0}
#did{font-size:1.05rem}table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #e3e3e6;vertical-align:top;word-break:break-all}
td:last-child{word-break:normal;min-width:9rem}tr.unused td{color:#8a8a8e}tr.used td:first-child{font-weight:600}small{color:#6e6e73}
.scim{border-left:4px solid #1a7f37;padding-left:.6rem}.no-scim{border-left:4px solid #bf8700;padding-left:.6rem}
input[type=email]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}`

var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with SSO - RudderStack</title><style>` + pageStyle + `</style></head>
<body><main>
<h1>Sign in with SSO</h1>
<form id="sso-form" method="post" action="{{.Action}}">
<label for="email">Work email</label>
<input id="email" name="email" type="email" autocomplete="email" required autofocus>
{{- if .Error}}
<p id="form-error" class="error">{{.Error}}</p>
{{- end}}
<button type="submit">Continue</button>
</form>
</main></body></html>
`))

var homeTemplate = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Org}} - RudderStack</title><style>` + pageStyle + `</style></head>
<body><main id="me" data-user-id="{{.UserID}}">
<h1>Signed in to {{.Org}}</h1>
{{with .Landing}}<section id="sign-in-details">
<p id="did">{{.Did}}</p>
<p id="provisioning" class="{{if .SCIMManaged}}scim{{else}}no-scim{{end}}"><strong>SCIM:</strong> {{.Provisioning}}</p>
</section>{{end}}
<h2>The account</h2>
<dl class="profile">
<dt>Name</dt><dd data-field="name">{{.Name}}</dd>
<dt>Username</dt><dd data-field="username">{{.Username}}</dd>
<dt>Email</dt><dd data-field="email">{{.Email}}</dd>
<dt>Last name</dt><dd data-field="last_name">{{.LastName}}</dd>
<dt>Role</dt><dd data-field="role" data-value="{{.Role}}">{{.RoleLabel}}</dd>
<dt>Source</dt><dd data-field="source">{{.Source}}</dd>
<dt>Status</dt><dd data-field="status">{{.Status}}</dd>
<dt>Organization</dt><dd data-field="org" data-org-id="{{.OrgID}}">{{.Org}}</dd>
<dt>Identity provider</dt><dd data-field="identity_provider">{{.IdentityProvider}} ({{.CognitoUsername}})</dd>
</dl>
{{with .Landing}}{{if .Received}}<h2>What RudderStack received from Entra</h2>
<table id="claims"><thead><tr><th>Claim</th><th>Value</th><th>Used for</th></tr></thead><tbody>
<tr class="used"><td>NameID{{if .NameIDFormat}} <small>({{.NameIDFormat}})</small>{{end}}</td><td>{{.NameID}}</td><td>Username (the account's key)</td></tr>
{{range .Claims}}<tr class="{{if .PoolAttribute}}used{{else}}unused{{end}}"><td>{{.Name}}</td><td>{{.Value}}</td><td>{{if .PoolAttribute}}{{.Field}} <small>(pool attribute {{.PoolAttribute}})</small>{{else}}not used{{end}}</td></tr>
{{end}}</tbody></table>{{end}}{{end}}
<p><a id="sign-out" href="{{.SignOutURL}}">Sign out</a></p>
</main></body></html>
`))

func (s *Server) renderLoginForm(w http.ResponseWriter, status int, formError string) {
	render(w, status, loginTemplate, map[string]string{"Action": s.LoginURL(), "Error": formError})
}

func (s *Server) renderHome(w http.ResponseWriter, me Me, lv landingView) {
	name := me.DisplayName
	if name == "" {
		name = me.LastName
	}
	if me.FirstName != "" && me.DisplayName == "" {
		name = me.FirstName + " " + me.LastName
	}
	render(w, http.StatusOK, homeTemplate, homeView{
		Name: name, Username: me.Username, Email: me.Email, LastName: me.LastName,
		Role: me.Role, RoleLabel: me.RoleLabel, Source: me.Source, Status: me.Status,
		Org: me.Org, OrgID: me.OrgID, UserID: me.UserID,
		IdentityProvider: me.IdentityProvider, CognitoUsername: me.CognitoUsername,
		Landing: &lv, SignOutURL: s.appURL + LogoutPath,
	})
}

// homeView is what the home page shows. It is a flat struct, not Me
// embedded: the template looks every field up by name, and through an
// embedded struct each lookup is a slow reflective search.
type homeView struct {
	Name, Username, Email, LastName   string
	Role, RoleLabel, Source, Status   string
	Org, OrgID, UserID                string
	IdentityProvider, CognitoUsername string
	// Landing says what the app received and did at the last sign-in.
	Landing *landingView
	// SignOutURL is where Cognito's sign-out would sit.
	SignOutURL string
}

func render(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// appError renders one of the app's error pages.
func (s *Server) appError(w http.ResponseWriter, status int, p errpage.Page) {
	p.Source = errpage.SourceApp
	errpage.Render(w, status, p)
}

func (s *Server) internalError(w http.ResponseWriter) {
	s.appError(w, http.StatusInternalServerError, errpage.Page{
		Title: "Something went wrong", Message: "Something went wrong. Please try again.", Code: "internal_error",
		Hint: "The service provider's log says what failed.",
	})
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.appError(w, http.StatusNotFound, errpage.Page{
		Title: "Page not found", Message: "There is no page at " + r.URL.Path + ".", Code: "not_found",
		Hint: "Sign in at " + s.LoginURL() + ".",
	})
}
