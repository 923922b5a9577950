package render

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/connectsync/connectsync/pkg/docusign"
)

// UsersFormatVersion is the version of `users --format json`.
const UsersFormatVersion = "1"

// Users is the users one configuration covers, as `users` prints them.
type Users struct {
	FormatVersion string     `json:"format_version"`
	Account       string     `json:"account"`
	AccountID     string     `json:"account_id"`
	Name          string     `json:"name,omitempty"`
	ConnectID     string     `json:"connect_id"`
	Total         int        `json:"total"`
	Users         []UserLine `json:"users"`
}

// UserLine is one covered user.
type UserLine struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
	Email    string `json:"email"`
	Status   string `json:"status"`
}

// NewUsers builds the document from the API's answer.
func NewUsers(alias, accountID, name, connectID string, users []docusign.User) Users {
	u := Users{FormatVersion: UsersFormatVersion, Account: alias, AccountID: accountID, Name: name, ConnectID: connectID, Total: len(users), Users: make([]UserLine, 0, len(users))}
	for _, x := range users {
		u.Users = append(u.Users, UserLine{UserID: x.UserID, UserName: x.UserName, Email: x.Email, Status: x.UserStatus})
	}
	return u
}

// UsersJSON writes the document as JSON.
func UsersJSON(w io.Writer, u Users) error {
	return writeJSON(w, u)
}

// UsersText writes a table of the users, then a count.
func UsersText(w io.Writer, u Users) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER ID\tNAME\tEMAIL\tSTATUS")
	for _, x := range u.Users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", Terminal(x.UserID), Terminal(x.UserName), Terminal(x.Email), Terminal(x.Status))
	}
	tw.Flush()
	what := "configuration " + Terminal(u.ConnectID)
	if u.Name != "" {
		what = fmt.Sprintf("%q (connectId %s)", u.Name, Terminal(u.ConnectID))
	}
	fmt.Fprintf(w, "\n%s covered by %s in account %s.\n", plural(u.Total, "user"), Terminal(what), Terminal(u.Account))
}
