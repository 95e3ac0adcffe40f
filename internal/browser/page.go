package browser

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Page is a response the browser ended on: its address, status, headers and
// body, and for HTML what a browser reads from the document. The page's
// title, forms, scripts and refresh are read from the HTML's tokens when the
// page loads; the document tree, for Text, ElementByID, Links and Document,
// is parsed on first use.
type Page struct {
	// URL is the address of the page, after redirects.
	URL *url.URL
	// StatusCode is the HTTP status of the final response. Error pages
	// (AADSTS errors, Cognito errors) are pages too, not Go errors.
	StatusCode int
	// Header is the final response's header.
	Header http.Header
	// Body is the final response's body.
	Body []byte
	// Steps are every request of the call that led here, the last one
	// included.
	Steps []Step

	isHTML   bool
	docOnce  sync.Once
	doc      *html.Node // the parsed body, made on first use
	base     *url.URL   // for resolving links: <base href> or URL
	title    string
	forms    []*Form
	scripts  []string // inline script text and on… handler attributes
	refresh  *url.URL // <meta http-equiv="refresh"> target, if any
	autoPost *Form
}

// newPage builds a page, reading the body when it is HTML.
func newPage(u *url.URL, resp *http.Response, body []byte) (*Page, error) {
	p := &Page{URL: u, StatusCode: resp.StatusCode, Header: resp.Header, Body: body, base: u}
	if !isHTML(resp.Header.Get("Content-Type"), body) {
		return p, nil
	}
	p.isHTML = true
	p.scan()
	p.autoPost = detectAutoPost(p.forms, p.scripts)
	return p, nil
}

func isHTML(contentType string, body []byte) bool {
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}

// parseRefresh reads a meta refresh content ("0; url=/next") and returns
// its URL, or nil when it has none (a page that only reloads itself).
func parseRefresh(base *url.URL, content string) *url.URL {
	_, rest, ok := strings.Cut(content, ";")
	if !ok {
		_, rest, ok = strings.Cut(content, ",")
	}
	if !ok {
		return nil
	}
	rest = strings.TrimSpace(rest)
	if len(rest) >= 4 && strings.EqualFold(rest[:3], "url") {
		if r := strings.TrimSpace(rest[3:]); strings.HasPrefix(r, "=") {
			rest = strings.TrimSpace(r[1:])
		}
	}
	rest = strings.Trim(rest, `'"`)
	if rest == "" {
		return nil
	}
	u, err := base.Parse(rest)
	if err != nil {
		return nil
	}
	return u
}

// IsHTML reports whether the page was HTML and so has a document.
func (p *Page) IsHTML() bool { return p.isHTML }

// Document returns the parsed HTML, for queries the helpers do not cover;
// nil when the page is not HTML. It is parsed on the first call.
func (p *Page) Document() *html.Node {
	if !p.isHTML {
		return nil
	}
	p.docOnce.Do(func() {
		// Scripting off: this browser runs no JavaScript, so <noscript>
		// content (the SAML POST page's Continue button) is real markup,
		// as in a browser with scripts disabled. Parsing a byte slice
		// cannot fail.
		p.doc, _ = html.ParseWithOptions(bytes.NewReader(p.Body), html.ParseOptionEnableScripting(false))
	})
	return p.doc
}

// Title returns the document's title with whitespace collapsed.
func (p *Page) Title() string { return p.title }

// Text returns the text a user would see: no scripts, styles, or elements
// marked hidden, whitespace collapsed, one line per block. <noscript>
// content counts, as this browser has no scripts.
func (p *Page) Text() string {
	doc := p.Document()
	if doc == nil {
		return ""
	}
	root := doc
	if body := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body }); body != nil {
		root = body
	}
	return visibleText(root)
}

// JSON decodes the body as JSON into v, for API responses such as /api/me.
func (p *Page) JSON(v any) error {
	if err := json.Unmarshal(p.Body, v); err != nil {
		return fmt.Errorf("browser: the body of %s is not the JSON expected (status %d, Content-Type %q): %w",
			redactURL(p.URL.String()), p.StatusCode, p.Header.Get("Content-Type"), err)
	}
	return nil
}

// Forms returns the page's forms in document order.
func (p *Page) Forms() []*Form { return p.forms }

// FormByID returns the form with the given id, or nil.
func (p *Page) FormByID(id string) *Form {
	for _, f := range p.forms {
		if f.ID == id {
			return f
		}
	}
	return nil
}

// FormWithField returns the first form that has a field named name (for
// example "loginfmt" on the sign-in page), or nil.
func (p *Page) FormWithField(name string) *Form {
	for _, f := range p.forms {
		if _, ok := f.Field(name); ok {
			return f
		}
	}
	return nil
}

// AutoPostForm returns the form the page would submit by itself (a SAML
// HTTP-POST binding page), or nil. The browser submits it automatically
// unless Options.NoAutoPost is set.
func (p *Page) AutoPostForm() *Form { return p.autoPost }

// Element is an HTML element found on a page.
type Element struct {
	// Tag is the element's name in lower case, such as "div".
	Tag string
	// Attrs holds the element's attributes by name.
	Attrs map[string]string
	// Text is the element's visible text.
	Text string
	// Node is the element in the parsed document.
	Node *html.Node
}

// ElementByID returns the element with the given id, or nil.
func (p *Page) ElementByID(id string) *Element {
	doc := p.Document()
	if doc == nil {
		return nil
	}
	n := find(doc, func(n *html.Node) bool {
		v, ok := attr(n, "id")
		return ok && v == id
	})
	if n == nil {
		return nil
	}
	e := &Element{Tag: n.Data, Attrs: make(map[string]string, len(n.Attr)), Text: visibleText(n), Node: n}
	for _, a := range n.Attr {
		e.Attrs[a.Key] = a.Val
	}
	return e
}

// Link is an <a href> on a page.
type Link struct {
	// Text is the link's visible text.
	Text string
	// Href is the attribute as written.
	Href string
	// URL is Href resolved against the page.
	URL *url.URL
}

// Links returns the page's links with an href, in document order; links
// whose href does not parse are left out.
func (p *Page) Links() []Link {
	doc := p.Document()
	if doc == nil {
		return nil
	}
	var out []Link
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			if href, ok := attr(n, "href"); ok {
				if u, err := p.base.Parse(strings.TrimSpace(href)); err == nil {
					out = append(out, Link{Text: visibleText(n), Href: href, URL: u})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// find returns the first element in document order for which match holds.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

// blocks are the elements that start a new line of visible text.
var blocks = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Br: true,
	atom.Dd: true, atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true,
	atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true, atom.H1: true,
	atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true,
	atom.Hr: true, atom.Legend: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Section: true, atom.Table: true, atom.Td: true, atom.Th: true,
	atom.Tr: true, atom.Ul: true, atom.Button: true, atom.Label: true, atom.Title: true,
}

// invisible are elements whose content is never shown.
var invisible = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Head: true,
	atom.Select: true, atom.Textarea: true, atom.Iframe: true, atom.Object: true,
}

// visibleText renders n's text as lines: whitespace collapsed within a
// line, a line per block element, empty lines dropped.
func visibleText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			if invisible[n.DataAtom] || isHidden(n) {
				return
			}
			if n.DataAtom == atom.Input {
				// A button's label is its value.
				if t, _ := attr(n, "type"); strings.EqualFold(t, "submit") || strings.EqualFold(t, "button") {
					v, _ := attr(n, "value")
					b.WriteString("\n" + v + "\n")
				}
				return
			}
		}
		if blocks[n.DataAtom] {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if blocks[n.DataAtom] {
			b.WriteByte('\n')
		}
	}
	walk(n)
	var lines []string
	for line := range strings.SplitSeq(b.String(), "\n") {
		if line = collapseSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}

// isHidden reports an element hidden by the hidden attribute or an inline
// display:none; stylesheets are not evaluated.
func isHidden(n *html.Node) bool {
	if _, ok := attr(n, "hidden"); ok {
		return true
	}
	if style, ok := attr(n, "style"); ok {
		s := strings.ReplaceAll(strings.ToLower(style), " ", "")
		if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
			return true
		}
	}
	return false
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
