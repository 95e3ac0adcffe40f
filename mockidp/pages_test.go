package mockidp

import (
	"bytes"
	"html"
	"html/template"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"
)

// tileTemplate is how the picker's tiles were written before accountTiles:
// a template range. The two must write the same page.
var tileTemplate = template.Must(template.New("tiles").Parse(`{{range .Users}}<form method="post" action="{{$.Action}}">
<input type="hidden" name="ctx" value="{{$.Ctx}}"><input type="hidden" name="loginfmt" value="{{.UPN}}">
<button class="tile" type="submit" data-test-id="{{.UPN}}">{{.Name}}<small>{{.UPN}}</small></button>
</form>
{{end}}`))

func TestAccountTilesMatchTheTemplate(t *testing.T) {
	const action = "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/login"
	const ctx = "eyJrIjoic3AiLCJ0IjoiOGVhZWYwMjMifQ.Zm9vYmFy_-"
	for _, tt := range []struct {
		name  string
		users []pickerUser
		same  bool // byte for byte; otherwise the same once unescaped
	}{
		{"demo users", []pickerUser{{"AdeleV@contoso.onmicrosoft.com", "Adele Vance"}, {"LeeG@contoso.onmicrosoft.com", "Lee Gu"}}, true},
		{"no users", nil, true},
		{"markup in names", []pickerUser{{`o'brien+x@contoso.com`, `Zoë "Q" <b>&amp;</b>`}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want bytes.Buffer
			if err := tileTemplate.Execute(&want, struct {
				Action, Ctx string
				Users       []pickerUser
			}{action, ctx, tt.users}); err != nil {
				t.Fatal(err)
			}
			got := string(accountTiles(action, ctx, tt.users, "data-test-id"))
			if tt.same && got != want.String() {
				t.Errorf("tiles\n%s\nwant\n%s", got, want.String())
			}
			if html.UnescapeString(got) != html.UnescapeString(want.String()) {
				t.Errorf("tiles say something else than the template:\n%s\nwant\n%s", got, want.String())
			}
			// Whatever the names hold, each tile is one form posting the UPN.
			doc, err := xhtml.Parse(strings.NewReader(got))
			if err != nil {
				t.Fatal(err)
			}
			var upns []string
			var walk func(*xhtml.Node)
			walk = func(n *xhtml.Node) {
				if n.Type == xhtml.ElementNode && n.Data == "input" {
					var name, value string
					for _, a := range n.Attr {
						switch a.Key {
						case "name":
							name = a.Val
						case "value":
							value = a.Val
						}
					}
					if name == "loginfmt" {
						upns = append(upns, value)
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			if len(upns) != len(tt.users) {
				t.Fatalf("%d loginfmt fields, want %d", len(upns), len(tt.users))
			}
			for i, u := range tt.users {
				if upns[i] != u.UPN {
					t.Errorf("tile %d posts %q, want %q", i, upns[i], u.UPN)
				}
			}
		})
	}
}
