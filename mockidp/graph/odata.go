package graph

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Graph's error codes the mock answers with.
const (
	codeInvalidToken      = "InvalidAuthenticationToken"
	codeDenied            = "Authorization_RequestDenied"
	codeBadRequest        = "Request_BadRequest"
	codeUnsupportedQuery  = "Request_UnsupportedQuery"
	codeNotFound          = "Request_ResourceNotFound"
	codeSegmentNotFound   = "BadRequest"
	codeExpiredPageToken  = "Directory_ExpiredPageToken"
	codeInternal          = "generalException"
	codeMethodNotAllowed  = "BadRequest"
	codeUnsupportedMedia  = "BadRequest"
	codeRequestBodyTooBig = "BadRequest"
)

// errorDetail is one entry of a Graph error's details.
type errorDetail struct {
	Code   string `json:"code"`
	Target string `json:"target,omitempty"`
}

// graphError is a Graph error body's "error".
type graphError struct {
	Code       string        `json:"code"`
	Message    string        `json:"message"`
	Details    []errorDetail `json:"details,omitempty"`
	InnerError innerError    `json:"innerError"`
}

type innerError struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

// apiError is a Graph failure on its way to the client.
type apiError struct {
	status  int
	code    string
	message string
	details []errorDetail
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(message string, details ...errorDetail) *apiError {
	return &apiError{http.StatusBadRequest, codeBadRequest, message, details}
}

func unsupportedQuery(message string) *apiError {
	return &apiError{http.StatusBadRequest, codeUnsupportedQuery, message, nil}
}

func notFound(id string) *apiError {
	return &apiError{http.StatusNotFound, codeNotFound,
		"Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.", nil}
}

// requestIDs sets Graph's request-id and client-request-id headers (the
// client's own ID echoed, or the request's) and returns them.
func (s *Server) requestIDs(w http.ResponseWriter, r *http.Request) (reqID, clientReqID string) {
	reqID = s.guid()
	clientReqID = r.Header.Get("client-request-id")
	if clientReqID == "" {
		clientReqID = reqID
	}
	h := w.Header()
	h.Set("request-id", reqID)
	h.Set("client-request-id", clientReqID)
	return reqID, clientReqID
}

// fail writes Graph's error body.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, e *apiError) {
	reqID, clientReqID := s.requestIDs(w, r)
	if e.status >= 500 {
		s.log.Error("graph internal error", "path", r.URL.Path, "err", e.message)
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+s.login+`/common/oauth2/authorize", client_id="`+GraphAppID+`"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]graphError{"error": {
		Code: e.code, Message: e.message, Details: e.details,
		InnerError: innerError{Date: s.now().UTC().Format("2006-01-02T15:04:05"), RequestID: reqID, ClientRequestID: clientReqID},
	}})
}

// internal answers Graph's 500 for an unexpected failure.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.fail(w, r, &apiError{http.StatusInternalServerError, codeInternal, "mock Entra ID internal error: " + err.Error(), nil})
}

// writeOData writes a Graph answer with its request IDs and OData
// headers.
func (s *Server) writeOData(w http.ResponseWriter, r *http.Request, status int, v any) {
	s.requestIDs(w, r)
	body, err := marshal(v)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("OData-Version", "4.0")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// noContent answers 204, as Graph does to PATCH, DELETE and $ref writes.
func (s *Server) noContent(w http.ResponseWriter, r *http.Request) {
	s.requestIDs(w, r)
	w.WriteHeader(http.StatusNoContent)
}
