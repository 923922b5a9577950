package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The Connect configuration endpoints (reference §2):
//
//	GET    .../connect                  → 200 connectConfigResults (not paginated)
//	POST   .../connect                  → 201 the stored configuration
//	PUT    .../connect                  → 200 the stored configuration (connectId in the body)
//	GET    .../connect/{connectId}      → 200 connectConfigResults with one item
//	DELETE .../connect/{connectId}      → 200, empty body
//	GET    .../connect/{connectId}/users      → 200 integratedUserInfoList
//	GET    .../connect/{connectId}/all/users  → 200 integratedConnectUserInfoList

// apiHandler serves one Connect endpoint for an authorised caller of an
// account (its GUID). A nil body answers an empty body.
type apiHandler func(r *http.Request, accountID string) (status int, body any, err *apiError)

// connectAPI checks what every Connect call needs, in this order: a valid
// token, the user's membership of the account, Connect enabled on the
// account, and the user being an account administrator.
func (e *Emulator) connectAPI(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isReservedConnectID(r.PathValue("connectId")) {
			notEmulated(w, r)
			return
		}
		accountID, err := e.authorize(r)
		if err == nil {
			var status int
			var body any
			status, body, err = h(r, accountID)
			if err == nil {
				writeJSON(w, status, body)
				return
			}
		}
		writeJSON(w, err.Status, err)
	})
}

func (e *Emulator) authorize(r *http.Request) (accountID string, err *apiError) {
	t, ok := e.tokens.lookup(r.Header.Get("Authorization"), e.now())
	if !ok {
		return "", &apiError{Status: http.StatusUnauthorized, Code: CodeUserAuthenticationFailed, Message: messageInvalidToken}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.st.findAccount(r.PathValue("accountId"))
	var m *AccountUser
	if a != nil {
		m = a.member(t.userID)
	}
	// An unknown account and one the user is not a member of answer alike,
	// so the answer does not tell which accounts exist.
	if m == nil || m.Status == "Closed" || m.Status == "Disabled" {
		return "", badRequest(CodeUserNotInAccount, "The specified User is not a member of the specified Account.")
	}
	if !a.ConnectEnabled {
		return "", badRequest(CodeAccountLacksPermissions, "This Account lacks sufficient permissions to access this resource. Connect is not enabled for this account.")
	}
	if !m.Admin {
		return "", &apiError{Status: http.StatusForbidden, Code: CodeUserLacksPermissions, Message: messageUserLacksPermissions + " Connect requires an account administrator."}
	}
	return a.AccountID, nil
}

// configResults is DocuSign's connectConfigResults.
type configResults struct {
	// Configurations is omitted when empty (see doc.go).
	Configurations []Configuration `json:"configurations,omitempty"`
	TotalRecords   string          `json:"totalRecords"`
}

func results(configs []Configuration) configResults {
	out := configResults{TotalRecords: strconv.Itoa(len(configs))}
	for _, c := range configs {
		out.Configurations = append(out.Configurations, c.clone().public())
	}
	return out
}

func (e *Emulator) listConfigurations(r *http.Request, accountID string) (int, any, *apiError) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return http.StatusOK, results(e.st.findAccount(accountID).Configurations), nil
}

func (e *Emulator) getConfiguration(r *http.Request, accountID string) (int, any, *apiError) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a, i, err := e.st.lookup(accountID, r.PathValue("connectId"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, results(a.Configurations[i : i+1]), nil
}

func (e *Emulator) createConfiguration(r *http.Request, accountID string) (int, any, *apiError) {
	c, err := decodeConfiguration(r)
	if err != nil {
		return 0, nil, err
	}
	// connectId, integratorManaged and disabledBy are set by DocuSign, not by the caller.
	c.ConnectID, c.IntegratorManaged, c.DisabledBy = "", "", ""
	c.fillDefaults()
	if err := validate(&c); err != nil {
		return 0, nil, err
	}
	// DocuSign's create page: this endpoint creates account-level (custom)
	// and Recipient Connect (customrecipient) configurations; Salesforce
	// and eOriginal ones come from their own products.
	if c.ConfigurationType != "custom" && c.ConfigurationType != "customrecipient" {
		return 0, nil, badRequest(CodeInvalidConfigurationType, "This endpoint creates custom and customrecipient configurations only, not %s.", c.ConfigurationType)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.findAccount(accountID)
	c.ConnectID = e.st.newConnectID()
	a.Configurations = append(a.Configurations, c)
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	return http.StatusCreated, c.clone().public(), nil
}

// updateConfiguration replaces the stored configuration with the body: a
// field the body leaves out goes back to its default, and an omitted
// password is cleared (see doc.go).
func (e *Emulator) updateConfiguration(r *http.Request, accountID string) (int, any, *apiError) {
	c, err := decodeConfiguration(r)
	if err != nil {
		return 0, nil, err
	}
	if c.ConnectID == "" {
		return 0, nil, badRequest(CodeConnectIDRequired, "connectId is required in the body to update a Connect configuration.")
	}
	c.fillDefaults()
	e.mu.Lock()
	defer e.mu.Unlock()
	a, i, err := e.st.lookup(accountID, c.ConnectID)
	if err != nil {
		return 0, nil, err
	}
	old := a.Configurations[i]
	c.IntegratorManaged, c.DisabledBy = old.IntegratorManaged, old.DisabledBy
	if err := validate(&c); err != nil {
		return 0, nil, err
	}
	a.Configurations[i] = c
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	return http.StatusOK, c.clone().public(), nil
}

func (e *Emulator) deleteConfiguration(r *http.Request, accountID string) (int, any, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, i, err := e.st.lookup(accountID, r.PathValue("connectId"))
	if err != nil {
		return 0, nil, err
	}
	a.Configurations = append(a.Configurations[:i:i], a.Configurations[i+1:]...)
	if err := e.persist(); err != nil {
		return 0, nil, internalError(err)
	}
	return http.StatusOK, nil, nil
}

// lookup finds a configuration of an authorised account (which exists:
// accounts are never removed).
func (s *state) lookup(accountID, connectID string) (*account, int, *apiError) {
	a := s.findAccount(accountID)
	i := a.configuration(connectID)
	if i < 0 {
		return nil, -1, badRequest(CodeConfigurationNotFound, "No Connect configuration with connectId %q in this account.", connectID)
	}
	return a, i, nil
}

func internalError(err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: CodeUnspecifiedError, Message: err.Error()}
}

// maxBody bounds a request body; a Connect configuration is a few KB.
const maxBody = 1 << 20

// decodeConfiguration reads a connectCustomConfiguration body. Field names
// match without regard to case and unknown fields are ignored (see doc.go).
func decodeConfiguration(r *http.Request) (Configuration, *apiError) {
	var c Configuration
	err := decodeBody(r, &c)
	return c, err
}

// readBody reads a request body that must not be empty, up to maxBody.
func readBody(r *http.Request) ([]byte, *apiError) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, badRequest(CodeInvalidRequestBody, "The request body could not be read.")
	}
	if len(body) > maxBody {
		return nil, badRequest(CodeInvalidRequestBody, "The request body is too large.")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, badRequest(CodeInvalidRequestBody, "The request body is missing or improperly formatted.")
	}
	return body, nil
}

// describeJSONError says what was wrong without Go type names.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return "The body must be a JSON object."
		}
		return fmt.Sprintf("Field %s cannot be a JSON %s.", typeErr.Field, typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("Invalid JSON at byte %d.", syntaxErr.Offset)
	}
	return err.Error()
}

// Users endpoints: paging parameters (reference §9).
const (
	// DefaultUsersCount is the page size when `count` is not given.
	DefaultUsersCount = 100
	// MaxUsersCount is the largest page; a larger `count` is lowered to it.
	MaxUsersCount = 100
)

// userListItem is DocuSign's userInfo, as the /users endpoint lists it.
type userListItem struct {
	UserID     string `json:"userId"`
	UserName   string `json:"userName"`
	Email      string `json:"email"`
	UserType   string `json:"userType"`
	UserStatus string `json:"userStatus"`
}

// connectUserItem is DocuSign's connectUserInfo, as /all/users lists it.
type connectUserItem struct {
	UserID     string `json:"userId"`
	UserName   string `json:"userName"`
	Email      string `json:"email"`
	IsIncluded string `json:"isIncluded"`
}

// userPage is integratedUserInfoList (with AllUsersSelected) and
// integratedConnectUserInfoList (without): every number is a string, and
// nextUri/previousUri are null at the ends.
type userPage struct {
	AllUsersSelected *string `json:"allUsersSelected,omitempty"`
	StartPosition    string  `json:"startPosition"`
	EndPosition      string  `json:"endPosition"`
	ResultSetSize    string  `json:"resultSetSize"`
	TotalSetSize     string  `json:"totalSetSize"`
	NextURI          *string `json:"nextUri"`
	PreviousURI      *string `json:"previousUri"`
	Users            any     `json:"users"`
}

// listUsers lists the account's users the configuration covers: all of them
// with allUsers, all but userIds with allUsersExcept, otherwise userIds.
func (e *Emulator) listUsers(r *http.Request, accountID string) (int, any, *apiError) {
	return e.pageUsers(r, accountID, true, func(c *Configuration, page []AccountUser) any {
		items := make([]userListItem, 0, len(page))
		for _, u := range page {
			items = append(items, userListItem{UserID: u.UserID, UserName: u.UserName, Email: u.Email, UserType: "CompanyUser", UserStatus: u.Status})
		}
		return items
	})
}

// listAllUsers lists every user of the account with isIncluded.
func (e *Emulator) listAllUsers(r *http.Request, accountID string) (int, any, *apiError) {
	return e.pageUsers(r, accountID, false, func(c *Configuration, page []AccountUser) any {
		items := make([]connectUserItem, 0, len(page))
		for _, u := range page {
			items = append(items, connectUserItem{UserID: u.UserID, UserName: u.UserName, Email: u.Email, IsIncluded: strconv.FormatBool(covers(c, u.UserID))})
		}
		return items
	})
}

func covers(c *Configuration, userID string) bool {
	listed := containsFold(c.UserIDs, userID)
	switch {
	case c.AllUsers == True:
		return true
	case c.AllUsersExcept == True:
		return !listed
	}
	return listed
}

// pageUsers filters the account's users by the query (email_substring,
// user_name_substring, status; and, for /users, the configuration's
// coverage), cuts the page and lets items build its entries.
func (e *Emulator) pageUsers(r *http.Request, accountID string, coveredOnly bool, items func(*Configuration, []AccountUser) any) (int, any, *apiError) {
	q := r.URL.Query()
	start, count, err := pageParams(q)
	if err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	a, i, err := e.st.lookup(accountID, r.PathValue("connectId"))
	if err != nil {
		return 0, nil, err
	}
	c := &a.Configurations[i]
	users := filterUsers(a.Users, q)
	if coveredOnly {
		users = slices.DeleteFunc(users, func(u AccountUser) bool { return !covers(c, u.UserID) })
	}
	total := len(users)
	page := users[min(start, total):min(start+count, total)]
	p := userPage{
		StartPosition: strconv.Itoa(start),
		EndPosition:   strconv.Itoa(max(start, start+len(page)-1)),
		ResultSetSize: strconv.Itoa(len(page)),
		TotalSetSize:  strconv.Itoa(total),
		Users:         items(c, page),
	}
	if coveredOnly {
		all := string(c.AllUsers)
		p.AllUsersSelected = &all
	}
	if start+len(page) < total {
		p.NextURI = pageURI(r.URL.Path, q, start+count, count)
	}
	if start > 0 {
		p.PreviousURI = pageURI(r.URL.Path, q, max(0, start-count), count)
	}
	return http.StatusOK, p, nil
}

func filterUsers(users []AccountUser, q url.Values) []AccountUser {
	email := strings.ToLower(q.Get("email_substring"))
	name := strings.ToLower(q.Get("user_name_substring"))
	var statuses []string
	if s := q.Get("status"); s != "" {
		for _, v := range strings.Split(s, ",") {
			statuses = append(statuses, strings.ToLower(strings.TrimSpace(v)))
		}
	}
	var out []AccountUser
	for _, u := range users {
		if email != "" && !strings.Contains(strings.ToLower(u.Email), email) {
			continue
		}
		if name != "" && !strings.Contains(strings.ToLower(u.UserName), name) {
			continue
		}
		if statuses != nil && !containsFold(statuses, u.Status) {
			continue
		}
		out = append(out, u)
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// pageParams reads count and start_position.
func pageParams(q url.Values) (start, count int, err *apiError) {
	count = DefaultUsersCount
	if s := q.Get("count"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n <= 0 {
			return 0, 0, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. count must be a positive number, got %q.", s)
		}
		count = min(n, MaxUsersCount)
	}
	if s := q.Get("start_position"); s != "" {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 0 {
			return 0, 0, badRequest(CodeInvalidRequestParameter, "The request contained at least one invalid parameter. start_position must be zero or more, got %q.", s)
		}
		start = n
	}
	return start, count, nil
}

// pageURI is a nextUri/previousUri: the path relative to /restapi with the
// same filters and the new position.
func pageURI(path string, q url.Values, start, count int) *string {
	next := url.Values{}
	for k, v := range q {
		next[k] = v
	}
	next.Set("start_position", strconv.Itoa(start))
	next.Set("count", strconv.Itoa(count))
	s := strings.TrimPrefix(path, "/restapi") + "?" + next.Encode()
	return &s
}
