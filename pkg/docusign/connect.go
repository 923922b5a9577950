package docusign

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// usersPageSize is the count asked for per page of users. DocuSign documents
// no default or maximum for this endpoint; 100 is its usual page maximum.
const usersPageSize = 100

// call builds and sends one API call for an account: newRequest, then do.
func (c *Client) call(ctx context.Context, method, accountID, path string, in, out any) error {
	r, err := c.newRequest(ctx, method, accountID, path, in)
	if err != nil {
		return err
	}
	return c.do(ctx, r, out)
}

func connectPath(connectID string) (string, error) {
	if connectID == "" {
		return "", errors.New("no connectId")
	}
	return "connect/" + url.PathEscape(connectID), nil
}

// ListConfigurations returns every Connect configuration of the account, of
// every type (custom, customrecipient, salesforce, eOriginal...). DocuSign
// does not paginate this list.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/list/
func (c *Client) ListConfigurations(ctx context.Context, accountID string) ([]Configuration, error) {
	var list ConfigurationList
	if err := c.call(ctx, http.MethodGet, accountID, "connect", nil, &list); err != nil {
		return nil, fmt.Errorf("list configurations of account %s: %w", accountID, err)
	}
	return list.Configurations, nil
}

// GetConfiguration returns one configuration. DocuSign answers with the list
// wrapper (connectConfigResults); an empty list gives an error for which
// IsNotFound is true.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/get/
func (c *Client) GetConfiguration(ctx context.Context, accountID, connectID string) (Configuration, error) {
	errorf := func(err error) error {
		return fmt.Errorf("get configuration %s of account %s: %w", connectID, accountID, err)
	}
	path, err := connectPath(connectID)
	if err != nil {
		return Configuration{}, errorf(err)
	}
	var list ConfigurationList
	if err := c.call(ctx, http.MethodGet, accountID, path, nil, &list); err != nil {
		return Configuration{}, errorf(err)
	}
	for _, cfg := range list.Configurations {
		if cfg.ConnectID == connectID {
			return cfg, nil
		}
	}
	return Configuration{}, errorf(ErrNotFound)
}

// CreateConfiguration creates a configuration and returns it as DocuSign
// stored it, with its new connectId. Any ConnectID in cfg is not sent.
//
// A create is retried only when DocuSign certainly did not receive it (a
// refused connection). After any failure once it was sent that another try
// might cure (a 5xx, a timeout, a dropped connection, a rate-limit answer
// after its wait, a 401 after the token was renewed), and after a 2xx
// without a connectId, the error satisfies IsOutcomeUnknown: list the
// configurations and look for the name before creating it again.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/create/
func (c *Client) CreateConfiguration(ctx context.Context, accountID string, cfg Configuration) (Configuration, error) {
	cfg.ConnectID = ""
	var created Configuration
	r, err := c.newRequest(ctx, http.MethodPost, accountID, "connect", cfg)
	if err == nil {
		err = c.do(ctx, r, &created)
	}
	if err == nil && created.ConnectID == "" {
		// A 2xx without the new id proves nothing (a proxy's page, a
		// followed redirect): whether it was created must be looked up.
		err = &OutcomeUnknownError{Method: r.method, Path: r.path(), Err: errors.New("the answer has no connectId")}
	}
	if err != nil {
		return Configuration{}, fmt.Errorf("create configuration %q in account %s: %w", cfg.Name, accountID, err)
	}
	return created, nil
}

// UpdateConfiguration replaces the configuration cfg.ConnectID names (PUT,
// with the id in the body) and returns it as DocuSign stored it. Send the
// whole object: whether DocuSign keeps or resets omitted fields is not
// documented. Write-only fields such as Password must be sent every time.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/update/
func (c *Client) UpdateConfiguration(ctx context.Context, accountID string, cfg Configuration) (Configuration, error) {
	if cfg.ConnectID == "" {
		return Configuration{}, fmt.Errorf("update configuration %q in account %s: no connectId", cfg.Name, accountID)
	}
	var updated Configuration
	if err := c.call(ctx, http.MethodPut, accountID, "connect", cfg, &updated); err != nil {
		return Configuration{}, fmt.Errorf("update configuration %s (%q) in account %s: %w", cfg.ConnectID, cfg.Name, accountID, err)
	}
	return updated, nil
}

// DeleteConfiguration deletes a configuration. When an attempt's answer was
// lost and the retry finds the configuration gone, the delete counts as done.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/delete/
func (c *Client) DeleteConfiguration(ctx context.Context, accountID, connectID string) error {
	path, err := connectPath(connectID)
	if err == nil {
		err = c.call(ctx, http.MethodDelete, accountID, path, nil, nil)
	}
	if err != nil {
		return fmt.Errorf("delete configuration %s of account %s: %w", connectID, accountID, err)
	}
	return nil
}

// ListUsers returns the users a configuration covers, reading every page
// (count and start_position) until DocuSign has no more. Each user is
// returned once, even when pages overlap. It fails, rather than page on,
// when a page brings no user not seen before (the server repeats itself)
// and after Options.MaxUserPages pages.
//
// DocuSign API docs: https://developers.docusign.com/docs/esign-rest-api/reference/connect/connectconfigurations/listusers/
func (c *Client) ListUsers(ctx context.Context, accountID, connectID string) ([]User, error) {
	errorf := func(err error) error {
		return fmt.Errorf("list users of configuration %s in account %s: %w", connectID, accountID, err)
	}
	path, err := connectPath(connectID)
	if err != nil {
		return nil, errorf(err)
	}
	var users []User
	seen := map[string]bool{} // by userId

	for start, pages := 0, 1; ; pages++ {
		// list_included_users asks for the users the configuration includes;
		// what DocuSign answers without it is not documented.
		q := url.Values{"count": {strconv.Itoa(usersPageSize)}, "start_position": {strconv.Itoa(start)}, "list_included_users": {"true"}}
		var page UserPage
		if err := c.call(ctx, http.MethodGet, accountID, path+"/users?"+q.Encode(), nil, &page); err != nil {
			return nil, errorf(err)
		}
		fresh := 0
		for _, u := range page.Users {
			key := u.UserID
			if key == "" {
				key = fmt.Sprintf("%+v", u)
			}
			if !seen[key] {
				seen[key] = true
				users = append(users, u)
				fresh++
			}
		}
		start += len(page.Users)
		total := int(page.TotalSetSize)
		switch {
		case len(page.Users) == 0 || total > 0 && len(users) >= total || total == 0 && page.NextURI == "":
			return users, nil
		case fresh == 0:
			return nil, errorf(fmt.Errorf("page %d (start_position %s) lists the same users again, so DocuSign would page forever; stopped after %d users of the %d it announces",
				pages, q.Get("start_position"), len(users), total))
		case pages >= c.maxUserPages:
			return nil, errorf(fmt.Errorf("stopped after %d pages (%d users) although DocuSign announces %d (totalSetSize): connectsync reads at most %d pages per configuration, to spare the account's hourly API budget",
				pages, len(users), total, c.maxUserPages))
		}
	}
}
