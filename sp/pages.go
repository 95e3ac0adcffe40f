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
<dl>
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
</main></body></html>
`))

func (s *Server) renderLoginForm(w http.ResponseWriter, status int, formError string) {
	render(w, status, loginTemplate, map[string]string{"Action": s.LoginURL(), "Error": formError})
}

func (s *Server) renderHome(w http.ResponseWriter, me Me) {
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
