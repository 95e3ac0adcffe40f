package chromiumtest

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"golang.org/x/net/html"

	"github.com/ssowiz/ssowiz/internal/har"
)

// hop is one HTTP exchange: a request and the response it got. A request
// that was redirected is one hop per redirect, as both tools write it.
type hop struct {
	id        network.RequestID
	n         int // the hop's place among its request's redirects
	req       *network.Request
	wall      time.Time
	start     float64 // monotonic seconds
	end       float64
	initiator *network.Initiator
	resType   network.ResourceType
	frameID   string
	loaderID  string
	resp      *network.Response
	failed    string
	body      []byte
	b64       bool
	bodyDone  bool
}

// recorder collects the network events of a tab.
type recorder struct {
	ctx     context.Context
	product string

	mu       sync.Mutex
	hops     []*hop
	current  map[network.RequestID]*hop
	count    map[network.RequestID]int
	reqExtra map[network.RequestID][]network.Headers
	resExtra map[network.RequestID][]network.Headers
	mainLoad string // the main frame's ID
	// fetching counts bodies being fetched; HAR waits for it to reach 0.
	// (A WaitGroup would race: events keep adding while HAR waits.)
	fetching int
}

func newRecorder() *recorder {
	return &recorder{
		current:  map[network.RequestID]*hop{},
		count:    map[network.RequestID]int{},
		reqExtra: map[network.RequestID][]network.Headers{},
		resExtra: map[network.RequestID][]network.Headers{},
	}
}

// event is the tab's listener: it must return at once, so bodies are
// fetched on their own goroutines.
func (r *recorder) event(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		if prev := r.current[e.RequestID]; prev != nil && e.RedirectResponse != nil {
			prev.resp, prev.end = e.RedirectResponse, e.Timestamp.Float64()
		}
		h := &hop{
			id: e.RequestID, n: r.count[e.RequestID], req: e.Request, start: e.Timestamp.Float64(),
			initiator: e.Initiator, resType: e.Type, frameID: string(e.FrameID), loaderID: string(e.LoaderID),
		}
		sec := e.WallTime.Float64()
		h.wall = time.Unix(0, int64(sec*1e9)).UTC()
		if e.Type == network.ResourceTypeDocument && r.mainLoad == "" {
			r.mainLoad = string(e.FrameID)
		}
		r.count[e.RequestID]++
		r.current[e.RequestID] = h
		r.hops = append(r.hops, h)
	case *network.EventRequestWillBeSentExtraInfo:
		r.reqExtra[e.RequestID] = append(r.reqExtra[e.RequestID], e.Headers)
	case *network.EventResponseReceivedExtraInfo:
		r.resExtra[e.RequestID] = append(r.resExtra[e.RequestID], e.Headers)
	case *network.EventResponseReceived:
		if h := r.current[e.RequestID]; h != nil {
			h.resp, h.resType = e.Response, e.Type
		}
	case *network.EventLoadingFinished:
		h := r.current[e.RequestID]
		if h == nil {
			return
		}
		h.end = e.Timestamp.Float64()
		r.fetching++
		go func() {
			res, err := chromedp.Call(r.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: e.RequestID})
			r.mu.Lock()
			defer r.mu.Unlock()
			r.fetching--
			if err == nil {
				h.body, h.b64 = res.Body, res.Base64encoded
			}
			h.bodyDone = true
		}()
	case *network.EventLoadingFailed:
		if h := r.current[e.RequestID]; h != nil {
			h.failed, h.end = e.ErrorText, e.Timestamp.Float64()
		}
	}
}

// Shape is how a tool lays out a HAR.
type Shape string

// The shapes Browser.HAR writes.
const (
	// DevTools is Chromium DevTools' "Export HAR (with sensitive data)":
	// creator WebInspector, a page per navigation titled with its URL,
	// Chromium's _initiator, _priority and _resourceType members, and
	// bodies as text.
	DevTools Shape = "devtools"
	// Playwright is Playwright's recordHar: creator Playwright with a
	// browser member, one page per tab titled with the document's title,
	// parsed cookies, _frameref, _monotonicTime and _serverPort members.
	Playwright Shape = "playwright"
)

// HAR returns what the tab did so far, in shape. It waits for the bodies
// still being fetched.
func (b *Browser) HAR(shape Shape) (*har.HAR, error) {
	r := b.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	for deadline := time.Now().Add(10 * time.Second); r.fetching > 0 && time.Now().Before(deadline); {
		r.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		r.mu.Lock()
	}
	if len(r.hops) == 0 {
		return nil, fmt.Errorf("chromiumtest: the browser made no request")
	}
	hops := append([]*hop(nil), r.hops...)
	sort.SliceStable(hops, func(i, j int) bool { return hops[i].start < hops[j].start })

	h := &har.HAR{Log: har.Log{Version: "1.2", Entries: []har.Entry{}}}
	pageOf := map[string]string{} // loaderID → page ID
	var lastTitle string
	switch shape {
	case DevTools:
		h.Log.Creator = har.Creator{Name: "WebInspector", Version: "537.36"}
	case Playwright:
		h.Log.Creator = har.Creator{Name: "Playwright", Version: "1.57.0"}
		version := strings.TrimPrefix(strings.TrimPrefix(r.product, "HeadlessChrome/"), "Chrome/")
		h.Log.Browser = &har.Creator{Name: "chromium", Version: version}
		h.Log.Pages = []har.Page{{
			StartedDateTime: harTime(hops[0].wall), ID: "page@" + shortHash(string(hops[0].id)),
			PageTimings: har.PageTimings{OnContentLoad: ptr(-1), OnLoad: ptr(-1)},
		}}
	default:
		return nil, fmt.Errorf("chromiumtest: unknown HAR shape %q", shape)
	}
	for _, hp := range hops {
		if hp.resp == nil && hp.failed == "" {
			continue // still in flight
		}
		reqExtra := nth(r.reqExtra[hp.id], hp.n)
		resExtra := nth(r.resExtra[hp.id], hp.n)
		e := entry(hp, reqExtra, resExtra, shape)
		isDoc := hp.resType == network.ResourceTypeDocument && hp.frameID == r.mainLoad
		switch shape {
		case DevTools:
			if isDoc && pageOf[hp.loaderID] == "" {
				id := "page_" + strconv.Itoa(len(h.Log.Pages)+1)
				pageOf[hp.loaderID] = id
				h.Log.Pages = append(h.Log.Pages, har.Page{
					StartedDateTime: harTime(hp.wall), ID: id, Title: hp.req.URL,
					PageTimings: har.PageTimings{OnContentLoad: ptr(-1), OnLoad: ptr(-1)},
				})
			}
			e.Pageref = pageOf[hp.loaderID]
		case Playwright:
			e.Pageref = h.Log.Pages[0].ID
			if isDoc && hp.resp != nil && hp.resp.Status == 200 {
				if t := documentTitle(hp.body, hp.b64); t != "" {
					lastTitle = t
				}
			}
		}
		h.Log.Entries = append(h.Log.Entries, e)
	}
	if shape == Playwright {
		h.Log.Pages[0].Title = lastTitle
	}
	return h, nil
}

func nth(hs []network.Headers, n int) network.Headers {
	if n < len(hs) {
		return hs[n]
	}
	return nil
}

// entry writes one hop in shape.
func entry(hp *hop, reqExtra, resExtra network.Headers, shape Shape) har.Entry {
	u := hp.req.URL + hp.req.URLFragment
	reqHeaders := headerList(hp.req.Headers)
	if reqExtra != nil {
		reqHeaders = headerList(reqExtra)
	}
	e := har.Entry{
		StartedDateTime: harTime(hp.wall),
		Request: har.Request{
			Method: hp.req.Method, URL: u, HTTPVersion: "http/1.1", Headers: reqHeaders,
			QueryString: queryList(u), Cookies: []har.Cookie{}, HeadersSize: -1, BodySize: 0,
		},
		Response: har.Response{Headers: []har.NameValue{}, Cookies: []har.Cookie{}, HeadersSize: -1, BodySize: -1},
		Timings:  har.Timings{Send: 0, Wait: 0, Receive: 0},
	}
	if hp.end > hp.start {
		e.Time = round3((hp.end - hp.start) * 1000)
		e.Timings.Wait = e.Time
	}
	if cookie, ok := header(reqHeaders, "Cookie"); ok && shape == Playwright {
		for _, c := range strings.Split(cookie, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(c), "=")
			e.Request.Cookies = append(e.Request.Cookies, har.Cookie{Name: name, Value: value})
		}
	}
	if hp.req.HasPostData {
		var body []byte
		for _, pe := range hp.req.PostDataEntries {
			body = append(body, pe.Bytes...)
		}
		mt, _ := header(reqHeaders, "Content-Type")
		pd := &har.PostData{MimeType: mt, Text: string(body)}
		if strings.Contains(mt, "x-www-form-urlencoded") {
			for _, p := range strings.Split(string(body), "&") {
				k, v, _ := strings.Cut(p, "=")
				if shape == Playwright {
					// Playwright decodes the parameters; DevTools keeps them as sent.
					k, _ = url.QueryUnescape(k)
					v, _ = url.QueryUnescape(v)
				}
				pd.Params = append(pd.Params, har.Param{Name: k, Value: v})
			}
		}
		e.Request.PostData = pd
		e.Request.BodySize = int64(len(body))
	}
	var extra map[string]any
	if hp.resp != nil {
		rs := hp.resp
		e.Response.Status, e.Response.StatusText = int(rs.Status), rs.StatusText
		if rs.Protocol != "" {
			e.Request.HTTPVersion, e.Response.HTTPVersion = rs.Protocol, rs.Protocol
		} else {
			e.Response.HTTPVersion = "http/1.1"
		}
		e.Response.Headers = headerList(rs.Headers)
		if resExtra != nil {
			e.Response.Headers = headerList(resExtra)
		}
		if loc, ok := header(e.Response.Headers, "Location"); ok && rs.Status >= 300 && rs.Status < 400 {
			if ref, err := url.Parse(hp.req.URL); err == nil {
				if l, err := ref.Parse(loc); err == nil {
					loc = l.String()
				}
			}
			e.Response.RedirectURL = loc
		}
		if sc, ok := header(e.Response.Headers, "Set-Cookie"); ok && shape == Playwright {
			for _, line := range strings.Split(sc, "\n") {
				first, _, _ := strings.Cut(line, ";")
				name, value, _ := strings.Cut(first, "=")
				e.Response.Cookies = append(e.Response.Cookies, har.Cookie{Name: strings.TrimSpace(name), Value: value})
			}
		}
		e.Response.Content = har.Content{Size: int64(len(hp.body)), MimeType: rs.MimeType}
		if e.Response.Content.MimeType == "" {
			e.Response.Content.MimeType = "x-unknown"
		}
		if len(hp.body) > 0 {
			if hp.b64 {
				e.Response.Content.Text, e.Response.Content.Encoding = base64.StdEncoding.EncodeToString(hp.body), "base64"
			} else {
				e.Response.Content.Text = string(hp.body)
			}
		}
		e.ServerIPAddress = strings.Trim(rs.RemoteIPAddress, "[]")
		e.Response.BodySize = int64(rs.EncodedDataLength)
		switch shape {
		case DevTools:
			e.Connection = strconv.FormatFloat(rs.ConnectionID, 'f', 0, 64)
			extra = map[string]any{"_transferSize": rs.EncodedDataLength, "_error": nil}
		case Playwright:
			extra = map[string]any{"_transferSize": rs.EncodedDataLength}
		}
		e.Response.Extra = object(extra)
		extra = nil
		if shape == Playwright {
			extra = map[string]any{"_serverPort": rs.RemotePort, "_frameref": "frame@" + shortHash(hp.frameID), "_monotonicTime": round3(hp.start)}
			if rs.SecurityDetails != nil {
				extra["_securityDetails"] = map[string]any{"protocol": rs.SecurityDetails.Protocol, "subjectName": rs.SecurityDetails.SubjectName}
			} else {
				extra["_securityDetails"] = map[string]any{}
			}
		}
	} else {
		e.Response.HTTPVersion = ""
		e.Response.Content = har.Content{MimeType: "x-unknown"}
		e.Response.Extra = object(map[string]any{"_error": hp.failed})
	}
	if shape == DevTools {
		extra = map[string]any{"_resourceType": strings.ToLower(string(hp.resType)), "_priority": string(hp.req.InitialPriority)}
		if in := hp.initiator; in != nil {
			init := map[string]any{"type": string(in.Type)}
			if in.URL != "" {
				init["url"] = in.URL
				init["lineNumber"] = in.LineNumber
			}
			extra["_initiator"] = init
		}
	}
	e.Extra = object(extra)
	return e
}

// documentTitle reads the <title> of an HTML body.
func documentTitle(body []byte, b64 bool) string {
	if b64 {
		var err error
		if body, err = base64.StdEncoding.DecodeString(string(body)); err != nil {
			return ""
		}
	}
	z := html.NewTokenizer(strings.NewReader(string(body)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "title" && z.Next() == html.TextToken {
				return strings.TrimSpace(html.UnescapeString(string(z.Text())))
			}
		}
	}
}

func headerList(h network.Headers) []har.NameValue {
	out := make([]har.NameValue, 0, len(h))
	for k, v := range h {
		out = append(out, har.NameValue{Name: k, Value: fmt.Sprint(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func header(hs []har.NameValue, name string) (string, bool) { return har.Header(hs, name) }

func queryList(raw string) []har.NameValue {
	out := []har.NameValue{}
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return out
	}
	for _, p := range strings.Split(u.RawQuery, "&") {
		k, v, _ := strings.Cut(p, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		out = append(out, har.NameValue{Name: k, Value: v})
	}
	return out
}

func object(m map[string]any) jsontext.Value {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b jsontext.Value
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		kv, _ := jsontext.AppendQuote(nil, k)
		b = append(b, kv...)
		b = append(b, ':')
		v, err := json.Marshal(m[k])
		if err != nil {
			v = []byte("null")
		}
		b = append(b, v...)
	}
	return append(b, '}')
}

func harTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func ptr(f float64) *float64 { return &f }

func round3(f float64) float64 { return float64(int64(f*1000)) / 1000 }

// shortHash gives stable, Playwright-like opaque IDs.
func shortHash(s string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return fmt.Sprintf("%08x", h)
}

// ClearHAR forgets what the tab recorded so far, as DevTools' "Clear
// network log" button does before a person reproduces a problem: the
// next HAR starts with the next request. Call it on a settled page.
func (b *Browser) ClearHAR() {
	r := b.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hops = nil
	r.current = map[network.RequestID]*hop{}
	r.count = map[network.RequestID]int{}
	r.reqExtra = map[network.RequestID][]network.Headers{}
	r.resExtra = map[network.RequestID][]network.Headers{}
}
