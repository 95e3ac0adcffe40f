// Package har reads, writes, records, redacts and analyses HAR 1.2 files
// (HTTP Archive, http://www.softwareishard.com/blog/har-12-spec/) for the
// SAML sign-in flow between a RudderStack-like app (Cognito as the SAML SP)
// and Microsoft Entra ID.
//
// The types keep every member they do not know (browser extras such as
// Chrome's _initiator, _resourceType or _transferSize) in an Extra field, so
// a file read and written again keeps them. Analyze streams a file and
// finds the SSO flows in it; Redact masks what must not leave the company;
// Recorder records an http.RoundTripper's exchanges as a HAR.
//
// See README.md for the JSON shape of an analysis report.
package har

import (
	"github.com/go-json-experiment/json/jsontext"
)

// HAR is the top-level object of a HAR file.
type HAR struct {
	Log   Log            `json:"log"`
	Extra jsontext.Value `json:",unknown"`
}

// Log is the HAR's log object.
type Log struct {
	Version string         `json:"version"`
	Creator Creator        `json:"creator"`
	Browser *Creator       `json:"browser,omitzero"`
	Pages   []Page         `json:"pages,omitzero"`
	Entries []Entry        `json:"entries"`
	Comment string         `json:"comment,omitzero"`
	Extra   jsontext.Value `json:",unknown"`
}

// Creator names the application (or browser) that wrote the file.
type Creator struct {
	Name    string         `json:"name"`
	Version string         `json:"version"`
	Comment string         `json:"comment,omitzero"`
	Extra   jsontext.Value `json:",unknown"`
}

// Page is one page (a top-level navigation) that entries can refer to.
type Page struct {
	StartedDateTime string         `json:"startedDateTime"`
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	PageTimings     PageTimings    `json:"pageTimings"`
	Comment         string         `json:"comment,omitzero"`
	Extra           jsontext.Value `json:",unknown"`
}

// PageTimings holds a page's load times in milliseconds; nil means the
// member was absent (the spec's -1).
type PageTimings struct {
	OnContentLoad *float64       `json:"onContentLoad,omitzero"`
	OnLoad        *float64       `json:"onLoad,omitzero"`
	Comment       string         `json:"comment,omitzero"`
	Extra         jsontext.Value `json:",unknown"`
}

// Entry is one HTTP exchange.
type Entry struct {
	Pageref         string         `json:"pageref,omitzero"`
	StartedDateTime string         `json:"startedDateTime"`
	Time            float64        `json:"time"`
	Request         Request        `json:"request"`
	Response        Response       `json:"response"`
	Cache           Cache          `json:"cache"`
	Timings         Timings        `json:"timings"`
	ServerIPAddress string         `json:"serverIPAddress,omitzero"`
	Connection      string         `json:"connection,omitzero"`
	Comment         string         `json:"comment,omitzero"`
	Extra           jsontext.Value `json:",unknown"`
}

// Request is an entry's request.
type Request struct {
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []Cookie       `json:"cookies"`
	Headers     []NameValue    `json:"headers"`
	QueryString []NameValue    `json:"queryString"`
	PostData    *PostData      `json:"postData,omitzero"`
	HeadersSize int64          `json:"headersSize"`
	BodySize    int64          `json:"bodySize"`
	Comment     string         `json:"comment,omitzero"`
	Extra       jsontext.Value `json:",unknown"`
}

// Response is an entry's response.
type Response struct {
	Status      int            `json:"status"`
	StatusText  string         `json:"statusText"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []Cookie       `json:"cookies"`
	Headers     []NameValue    `json:"headers"`
	Content     Content        `json:"content"`
	RedirectURL string         `json:"redirectURL"`
	HeadersSize int64          `json:"headersSize"`
	BodySize    int64          `json:"bodySize"`
	Comment     string         `json:"comment,omitzero"`
	Extra       jsontext.Value `json:",unknown"`
}

// NameValue is a header or a query-string parameter.
type NameValue struct {
	Name    string         `json:"name"`
	Value   string         `json:"value"`
	Comment string         `json:"comment,omitzero"`
	Extra   jsontext.Value `json:",unknown"`
}

// Cookie is a cookie sent or set.
type Cookie struct {
	Name     string         `json:"name"`
	Value    string         `json:"value"`
	Path     string         `json:"path,omitzero"`
	Domain   string         `json:"domain,omitzero"`
	Expires  string         `json:"expires,omitzero"`
	HTTPOnly *bool          `json:"httpOnly,omitzero"`
	Secure   *bool          `json:"secure,omitzero"`
	Comment  string         `json:"comment,omitzero"`
	Extra    jsontext.Value `json:",unknown"`
}

// PostData is a request body.
type PostData struct {
	MimeType string         `json:"mimeType"`
	Params   []Param        `json:"params,omitzero"`
	Text     string         `json:"text"`
	Comment  string         `json:"comment,omitzero"`
	Extra    jsontext.Value `json:",unknown"`
}

// Param is one posted form field.
type Param struct {
	Name        string         `json:"name"`
	Value       string         `json:"value,omitzero"`
	FileName    string         `json:"fileName,omitzero"`
	ContentType string         `json:"contentType,omitzero"`
	Comment     string         `json:"comment,omitzero"`
	Extra       jsontext.Value `json:",unknown"`
}

// Content is a response body. Text is the decoded body, or base64 of it
// when Encoding is "base64"; it may be shorter than Size when the browser
// truncated it, and absent when the browser did not keep it.
type Content struct {
	Size        int64          `json:"size"`
	Compression *int64         `json:"compression,omitzero"`
	MimeType    string         `json:"mimeType"`
	Text        string         `json:"text,omitzero"`
	Encoding    string         `json:"encoding,omitzero"`
	Comment     string         `json:"comment,omitzero"`
	Extra       jsontext.Value `json:",unknown"`
}

// Cache describes the browser cache's part in an entry; browsers write {}.
type Cache struct {
	BeforeRequest *jsontext.Value `json:"beforeRequest,omitzero"`
	AfterRequest  *jsontext.Value `json:"afterRequest,omitzero"`
	Comment       string          `json:"comment,omitzero"`
	Extra         jsontext.Value  `json:",unknown"`
}

// Timings splits an entry's time in milliseconds. Send, Wait and Receive
// are required; the others are nil when absent, and -1 means "does not
// apply", as the spec says.
type Timings struct {
	Blocked *float64       `json:"blocked,omitzero"`
	DNS     *float64       `json:"dns,omitzero"`
	Connect *float64       `json:"connect,omitzero"`
	Send    float64        `json:"send"`
	Wait    float64        `json:"wait"`
	Receive float64        `json:"receive"`
	SSL     *float64       `json:"ssl,omitzero"`
	Comment string         `json:"comment,omitzero"`
	Extra   jsontext.Value `json:",unknown"`
}
