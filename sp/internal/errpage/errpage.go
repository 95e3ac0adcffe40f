// Package errpage renders the mock service provider's error pages and reads
// them back.
//
// Cognito's hosted pages and the RudderStack app both show errors to a
// person in a browser; the live checks and tests need the same message as
// data. Every error page therefore carries the message, a short code and the
// remediation in elements with fixed ids, so Parse can find them without
// depending on the page's look.
package errpage

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"golang.org/x/net/html"
)

// Source says which part of the service provider showed the page.
const (
	// SourceCognito is a page of the user pool's hosted endpoints
	// (auth2.rudderstack.com).
	SourceCognito = "cognito"
	// SourceApp is a page of the RudderStack app (app.rudderstack.com).
	SourceApp = "app"
)

// Page is one error page.
type Page struct {
	// Source is SourceCognito or SourceApp.
	Source string
	// Title is the page heading.
	Title string
	// Message is what the real system shows, verbatim where it is known
	// (Cognito's own wording for its errors).
	Message string
	// Code is a short machine-readable reason, such as "redirect_mismatch"
	// or "user_deactivated"; empty when there is none.
	Code string
	// Hint says, in the admin's terms, what to check and where to fix it.
	Hint string
}

var pageTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="ssowiz-error-page" content="{{.Source}}">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1d1f}
main{max-width:40rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px #0002}
.errorMessage-customizable{color:#b00020;font-weight:600}
#error-code{font-family:monospace;color:#555}
#error-hint{border-top:1px solid #ddd;margin-top:1.5rem;padding-top:1rem}
</style>
</head>
<body>
<main class="error-page" data-source="{{.Source}}">
<h1>{{.Title}}</h1>
<p id="error-message" class="errorMessage-customizable">{{.Message}}</p>
{{- if .Code}}
<p id="error-code">{{.Code}}</p>
{{- end}}
{{- if .Hint}}
<section id="error-hint"><h2>What to check</h2><p>{{.Hint}}</p></section>
{{- end}}
</main>
</body>
</html>
`))

// Render writes p as an HTML page with the given status. Error pages are
// never cached: they describe one failed attempt.
func Render(w http.ResponseWriter, status int, p Page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		// The template is fixed and p holds only strings, so this cannot
		// happen; fall back to plain text rather than an empty page.
		http.Error(w, p.Message, status)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// messageID is the id of the element holding the message; every page
// Render writes has it.
const messageID = "error-message"

// Parse reads an error page written by Render. ok is false when body is
// not one (a success page, or another site's page).
func Parse(body []byte) (p Page, ok bool) {
	// Scripted sign-ins ask this of every page they pass; most are not
	// error pages, and Render writes the id literally, so a page without
	// it is not one and need not be parsed.
	if !bytes.Contains(body, []byte(messageID)) {
		return Page{}, false
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return Page{}, false
	}
	var found bool
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "meta" && attr(n, "name") == "ssowiz-error-page":
				p.Source = attr(n, "content")
			case n.Data == "title":
				p.Title = text(n)
			case attr(n, "id") == messageID:
				p.Message, found = text(n), true
			case attr(n, "id") == "error-code":
				p.Code = text(n)
			case attr(n, "id") == "error-hint":
				// The hint section starts with its own heading; the
				// hint is the paragraph after it.
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode && c.Data == "p" {
						p.Hint = text(c)
					}
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if !found {
		return Page{}, false
	}
	return p, true
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
