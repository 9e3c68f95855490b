package server

import (
	eventsv1 "github.com/gongyak/gongyak/pkg/api/gongyak/events/v1"
	"github.com/gongyak/gongyak/pkg/auth"
)

// Policy says who may call each of the events service's methods. A
// district's changes are read as its data is: by those who may read the
// district (roles, or a key's read or write scope), personal data already
// masked in the events.
func Policy() auth.Policy {
	return auth.Policy{
		eventsv1.ChangeService_ListChanges_FullMethodName:  auth.InDistrict(auth.ReadData, auth.Parent),
		eventsv1.ChangeService_WatchChanges_FullMethodName: auth.InDistrict(auth.ReadData, auth.Parent),
	}
}
