package browser

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The token scan replaced a walk over the parsed tree. treeScan is that
// walk, kept here as the reference: on well-formed pages, and on the
// malformed ones below where the two rules agree, the scan must read
// exactly what the tree says.

type scanned struct {
	Title   string
	Base    string
	Refresh string
	Scripts []string
	Forms   []scannedForm
}

type scannedForm struct {
	ID, Name, Method, Action, Enctype string
	Fields                            []Field
}

func summary(title string, base, refresh *url.URL, scripts []string, forms []*Form) scanned {
	s := scanned{Title: title, Base: base.String(), Scripts: scripts}
	if refresh != nil {
		s.Refresh = refresh.String()
	}
	for _, f := range forms {
		s.Forms = append(s.Forms, scannedForm{f.ID, f.Name, f.Method, f.Action.String(), f.Enctype, f.Fields})
	}
	return s
}

// treeScan is the former Page.scan: a walk of the parsed document, where a
// control belongs to its nearest ancestor form.
func treeScan(t *testing.T, p *Page) scanned {
	t.Helper()
	doc := p.Document()
	if doc == nil {
		t.Fatal("no document")
	}
	var title string
	var scripts []string
	var refresh *url.URL
	var forms []*Form
	base := p.URL
	type ctl struct {
		n    *html.Node
		form *Form
	}
	var controls []ctl
	get := func(n *html.Node) attrFunc { return func(k string) (string, bool) { return attr(n, k) } }
	var walk func(n *html.Node, form *Form)
	walk = func(n *html.Node, form *Form) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") && a.Val != "" {
					scripts = append(scripts, a.Val)
				}
			}
			switch n.DataAtom {
			case atom.Title:
				if title == "" && n.Namespace == "" {
					title = collapseSpace(treeText(n))
				}
			case atom.Base:
				if href, ok := attr(n, "href"); ok && base == p.URL {
					if b, err := p.URL.Parse(strings.TrimSpace(href)); err == nil {
						base = b
					}
				}
			case atom.Script:
				if _, external := attr(n, "src"); !external {
					scripts = append(scripts, treeText(n))
				}
			case atom.Meta:
				if v, _ := attr(n, "http-equiv"); strings.EqualFold(v, "refresh") && refresh == nil {
					content, _ := attr(n, "content")
					refresh = parseRefresh(p.URL, content)
				}
			case atom.Form:
				saved := p.base
				p.base = base
				form = p.newForm(get(n))
				p.base = saved
				forms = append(forms, form)
			case atom.Input, atom.Select, atom.Textarea, atom.Button:
				controls = append(controls, ctl{n, form})
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, form)
		}
	}
	walk(doc, nil)
	byID := map[string]*Form{}
	for _, f := range forms {
		if _, dup := byID[f.ID]; f.ID != "" && !dup {
			byID[f.ID] = f
		}
	}
	for _, c := range controls {
		owner := c.form
		if id, ok := attr(c.n, "form"); ok {
			owner = byID[id]
		}
		if owner != nil {
			owner.Fields = append(owner.Fields, treeField(c.n, get(c.n)))
		}
	}
	return summary(title, base, refresh, scripts, forms)
}

func treeField(n *html.Node, get attrFunc) Field {
	f := fieldOf(n.DataAtom, get)
	switch n.DataAtom {
	case atom.Textarea:
		f.Value = treeText(n)
	case atom.Select:
		first, selected := "", ""
		var walk func(*html.Node)
		walk = func(c *html.Node) {
			if c.Type == html.ElementNode && c.DataAtom == atom.Option {
				v, ok := attr(c, "value")
				if !ok {
					v = collapseSpace(treeText(c))
				}
				if len(f.Options) == 0 {
					first = v
				}
				f.Options = append(f.Options, v)
				if _, sel := attr(c, "selected"); sel && selected == "" {
					selected = v
				}
			}
			for c := c.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(n)
		f.Value = first
		if selected != "" {
			f.Value = selected
		}
	}
	return f
}

func treeText(n *html.Node) string {
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
	return b.String()
}

func tokenScan(p *Page) scanned {
	return summary(p.title, p.base, p.refresh, p.scripts, p.forms)
}

// scanCorpus are pages on which the scan must agree with the tree.
var scanCorpus = map[string]string{
	"helpers": helpersPage,
	"forms":   formsPage,
	"entra post page": `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="https://auth2.rudderstack.com/saml2/idpresponse">` +
		`<input type="hidden" name="SAMLResponse" value="` + strings.Repeat("PHNhbWxwOlJlc3BvbnNlLz4+", 400) + `" /><input type="hidden" name="RelayState" value="a&amp;b=&quot;c&quot;" />` +
		`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form>` +
		`<script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>`,
	"crewjam post page": `<!DOCTYPE html><html><body><form method="post" action="https://sp.example/acs" id="SAMLResponseForm">` +
		`<input type="hidden" name="SAMLResponse" value="abc" /><input type="hidden" name="RelayState" value="xyz" />` +
		`<input id="SAMLSubmitButton" type="submit" value="Submit" /></form><script>document.getElementById('SAMLSubmitButton').style.visibility="hidden";` +
		`document.getElementById('SAMLResponseForm').submit();</script></body></html>`,
	"picker": `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title><style>.tile{display:block}</style></head><body><main>
<h1>Pick an account</h1>
<form method="post" action="/t/login"><input type="hidden" name="ctx" value="c.1"><input type="hidden" name="loginfmt" value="AdeleV@contoso.com">
<button class="tile" type="submit" data-test-id="AdeleV@contoso.com">Adele Vance<small>AdeleV@contoso.com</small></button></form>
<form method="post" action="/t/login" id="otherAccount"><input type="hidden" name="ctx" value="c.1">
<h2><label for="i0116">Use another account</label></h2>
<input type="email" name="loginfmt" id="i0116" value="" placeholder="Email, phone, or Skype" autocomplete="username">
<input class="primary" type="submit" id="idSIButton9" value="Next"></form></main></body></html>`,
	"markup quirks": `<HTML><HEAD><TITLE>A &amp; B &lt;C&gt;</TITLE><BASE HREF=" /app/ "><BASE href="/ignored/">
<META HTTP-EQUIV="Refresh" CONTENT="5"><meta http-equiv="refresh" content="0; URL='next?x=1'">
<SCRIPT>if (a < b && c > d) { document.write("</scr" + "ipt><form>"); }</SCRIPT><script src="x.js">ignored()</script><script></script>
<!-- <form id="commented"><input name="no"></form> -->
</HEAD><BODY ONLOAD="init()" onclick="">
<FORM ID=f1 ACTION=post.php METHOD=post ENCTYPE=" Multipart/Form-Data " onsubmit="return check()">
<INPUT NAME=a VALUE=1 name=dup><input name="b" value="x&quot;y&amp;z&#39;&#x41;" type=" HIDDEN ">
<textarea name="t">&#13;
first&lt;line
second</textarea><textarea name="crlf">` + "\r\n" + `x</textarea><textarea name=empty></textarea>
<select name="s"><optgroup label="g"><option>  One
 two </option><option value="">blank</option><option selected value="">blank selected</option><option selected>Three</option></optgroup></select>
<select name="none"><option>only</option>
<select name="ignored"><option>closes the first</option></select>
<button>plain</button><button type="RESET" name="r">r</button><button type="button" value="v" name="bb">b</button>
<input type="checkbox" name="c" checked><input type="radio" name="r2" value="">
</FORM>
<input name="late" form="f2"><input name="nowhere" form="missing">
<form id="f2" name="second"><form id="nested"><input name="in-f2"></form>
<input name="after" disabled>
<svg><title>logo</title><a xlink:href="x" onclick="svgHandler()"/></svg>
<math><mi>x</mi></math><template><form id="tpl"></form></template>
<p><![CDATA[ <form id="cdata"> ]]></p>
</BODY></HTML>`,
	"form attribute before its form": `<input name="early" form="later"><p><form id="later" action="?q=1#top"><input name="inside"></form>`,
	"no body tags":                   `<title>t</title><form><input name=x value=y>`,
	"plaintext":                      `<form><input name=a><plaintext><input name=b></form>`,
	"noscript in head":               `<html><head><noscript><link rel=stylesheet href=x></noscript><title>T</title></head><body><noscript><form><input name=n></form></noscript></body></html>`,
}

func TestScanAgreesWithTheTree(t *testing.T) {
	corpus := map[string]string{}
	for name, body := range scanCorpus {
		corpus[name] = body
	}
	for _, name := range signInPages {
		corpus["sign-in "+name] = string(readSignInPage(t, name))
	}
	for name, body := range corpus {
		t.Run(name, func(t *testing.T) {
			got := tokenScan(parse(t, "https://login.microsoftonline.com/t/saml2?SAMLRequest=r", "text/html", body))
			want := treeScan(t, parse(t, "https://login.microsoftonline.com/t/saml2?SAMLRequest=r", "text/html", body))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("scan\n%+v\ntree\n%+v", got, want)
			}
		})
	}
}

// Where a form ends only implicitly, the HTML parser's form element pointer
// still owns the controls that follow, as in browsers; the old tree walk
// lost them.
func TestScanFollowsTheFormPointer(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		fields     []string // names of the first form's fields
		forms      int
	}{
		{"form in a table", `<table><form id=f method=post><tr><td><input name=a></td></tr></form></table>`, []string{"a"}, 1},
		{"form closed by its parent", `<div><form id=f></div><input name=a><form id=ignored><input name=b>`, []string{"a", "b"}, 1},
		{"end tag frees the pointer", `<div><form id=f></div></form><form id=g><input name=a></form>`, nil, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := parse(t, "https://x.example/", "text/html", tt.body)
			if len(p.Forms()) != tt.forms {
				t.Fatalf("%d forms, want %d", len(p.Forms()), tt.forms)
			}
			var names []string
			for _, f := range p.Forms()[0].Fields {
				names = append(names, f.Name)
			}
			if !reflect.DeepEqual(names, tt.fields) {
				t.Errorf("fields %q, want %q", names, tt.fields)
			}
		})
	}
}

func TestDocumentIsParsedOnDemand(t *testing.T) {
	p := parse(t, "https://x.example/", "text/html", `<title>T</title><p id=x>hi</p>`)
	if p.doc != nil {
		t.Fatal("the tree was built before anyone asked for it")
	}
	if p.ElementByID("x") == nil || p.Document() != p.Document() {
		t.Error("the tree is not parsed once, on demand")
	}
}
