package browser

import "testing"

func TestDetectAutoPost(t *testing.T) {
	const hidden = `<input type="hidden" name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4=">`
	tests := []struct {
		name string
		html string
		want string // the chosen form's id, "" for none
	}{
		{"Entra: body onload forms[0] with a noscript button",
			`<body onload="javascript:document.forms[0].submit()"><form id="entra" method="POST" action="/acs">` + hidden +
				`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript></form></body>`,
			"entra"},
		{"crewjam/saml: script by id",
			`<form method="post" action="/acs" id="SAMLResponseForm">` + hidden + `<input id="SAMLSubmitButton" type="submit" value="Submit"/></form>
<script>document.getElementById('SAMLSubmitButton').style.visibility="hidden";document.getElementById('SAMLResponseForm').submit();</script>`,
			"SAMLResponseForm"},
		{"window.onload in a script, by name",
			`<form name="hiddenform" id="h" method="post" action="/acs">` + hidden + `</form><script>window.onload = function () { document.hiddenform.submit(); }</script>`,
			"h"},
		{"the named one of several hidden forms",
			`<form id="a" method="post" action="/x">` + hidden + `</form><form id="b" method="post" action="/acs">` + hidden + `</form>
<script>document.forms[1].submit()</script>`,
			"b"},
		{"querySelector with one hidden form among others",
			`<form id="search"><input name="q"></form><form id="p" method="post" action="/acs">` + hidden + `</form>
<script>document.querySelector("form").submit()</script>`,
			"p"},
		{"no script: a no-JS user must press Continue",
			`<form id="n" method="post" action="/acs">` + hidden + `<input type="submit" value="Continue"></form>`,
			""},
		{"a script that submits, but the form needs a user",
			`<form id="login" method="post" action="/login"><input type="hidden" name="ctx" value="1"><input name="loginfmt"></form>
<script>function go(){ document.getElementById('login').submit(); }</script>`,
			""},
		{"an external script is not read",
			`<form id="e" method="post" action="/acs">` + hidden + `</form><script src="/submit.js"></script>`,
			""},
		{"a form of buttons only",
			`<form id="btn" method="post" action="/acs"><input type="submit" name="go" value="Go"></form><script>document.forms[0].submit()</script>`,
			""},
		{"several hidden forms, none named",
			`<form id="a" method="post" action="/x">` + hidden + `</form><form id="b" method="post" action="/acs">` + hidden + `</form>
<script>someForm.submit()</script>`,
			""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parse(t, "https://login.microsoftonline.com/t/saml2", "text/html", tt.html)
			got := ""
			if f := p.AutoPostForm(); f != nil {
				got = f.ID
			}
			if got != tt.want {
				t.Errorf("auto-post form = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEntraNoscriptButtonIsAField(t *testing.T) {
	// Parsed with scripting off, <noscript> content is markup: the Submit
	// button belongs to the form and the page text shows the hint.
	p := parse(t, "https://login.microsoftonline.com/t/saml2", "text/html",
		`<body onload="document.forms[0].submit()"><form method="POST" action="https://auth2.rudderstack.com/saml2/idpresponse">
<input type="hidden" name="SAMLResponse" value="x"/><noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"/></noscript></form></body>`)
	f := p.AutoPostForm()
	if f == nil || len(f.Fields) != 2 || f.Fields[1].Type != "submit" {
		t.Fatalf("form = %+v", f)
	}
	if got := p.Text(); got != "Script is disabled. Click Submit to continue.\nSubmit" {
		t.Errorf("Text = %q", got)
	}
}
