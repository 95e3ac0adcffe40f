package samltest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// Browser is a scripted browser: a cookie jar, redirects followed, and
// every host name routed to one address, like a hosts file. It does not
// run scripts; PostForm submits an auto-posting form.
type Browser struct {
	Client *http.Client
}

// NewBrowser returns a Browser that connects to addr (host:port) whatever
// host a URL names.
func NewBrowser(addr string) *Browser {
	jar, _ := cookiejar.New(nil)
	dialer := &net.Dialer{}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		DisableCompression: true,
	}
	return &Browser{Client: &http.Client{Jar: jar, Transport: tr}}
}

// Page is a response read whole.
type Page struct {
	URL    *url.URL
	Status int
	Header http.Header
	Body   []byte
}

// Get fetches u, following redirects.
func (b *Browser) Get(u string) (*Page, error) {
	resp, err := b.Client.Get(u)
	if err != nil {
		return nil, err
	}
	return read(resp)
}

// Post posts a form to u, following redirects.
func (b *Browser) Post(u string, form url.Values) (*Page, error) {
	resp, err := b.Client.PostForm(u, form)
	if err != nil {
		return nil, err
	}
	return read(resp)
}

// SubmitForm finds the first form on p and posts its hidden fields to its
// action, as the auto-posting script would.
func (b *Browser) SubmitForm(p *Page) (*Page, error) {
	action, fields, err := ParseForm(p.Body)
	if err != nil {
		return nil, err
	}
	return b.Post(action, fields)
}

func read(resp *http.Response) (*Page, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Page{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// ParseForm returns the action and input values of the first form in an
// HTML page.
func ParseForm(body []byte) (action string, fields url.Values, err error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return "", nil, err
	}
	fields = url.Values{}
	var form *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "form" && form == nil:
				form = n
				action = attr(n, "action")
			case n.Data == "input" && form != nil && attr(n, "name") != "":
				fields.Add(attr(n, "name"), attr(n, "value"))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if form == nil {
		return "", nil, fmt.Errorf("no form on the page: %.200s", strings.TrimSpace(string(body)))
	}
	return action, fields, nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
