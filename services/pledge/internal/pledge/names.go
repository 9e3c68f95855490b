package pledge

import (
	"strconv"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourceid"
	"github.com/gongyak/gongyak/pkg/resourcename"
)

// CheckID refuses an id a client chose that is not a valid resource id.
func CheckID(field, id string) error { return resourceid.Check(field, id) }

// NewID returns a fresh server-assigned id.
func NewID() string { return resourceid.New() }

// DistrictName is `districts/{district}`.
func DistrictName(id string) string { return resourcename.District.Format(id) }

// DepartmentName is `districts/{district}/departments/{department}`.
func DepartmentName(district, id string) string {
	return resourcename.Department.Format(district, id)
}

// PledgeName is `districts/{district}/pledges/{pledge}`.
func PledgeName(district, id string) string { return resourcename.Pledge.Format(district, id) }

// StatusChangeName is
// `districts/{district}/pledges/{pledge}/statusChanges/{n}`.
func StatusChangeName(district, pledge string, n int64) string {
	return resourcename.StatusChange.Format(district, pledge, strconv.FormatInt(n, 10))
}

// ParseDistrictName reads `districts/{district}` from field.
func ParseDistrictName(field, name string) (string, error) {
	ids, err := resourcename.District.Parse(field, name)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// ParseDepartmentName reads a department name from field.
func ParseDepartmentName(field, name string) (district, id string, err error) {
	ids, err := resourcename.Department.Parse(field, name)
	if err != nil {
		return "", "", err
	}
	return ids[0], ids[1], nil
}

// ParsePledgeName reads a pledge name from field.
func ParsePledgeName(field, name string) (district, id string, err error) {
	ids, err := resourcename.Pledge.Parse(field, name)
	if err != nil {
		return "", "", err
	}
	return ids[0], ids[1], nil
}

// ErrDistrictNotFound is the NOT_FOUND of a district.
func ErrDistrictNotFound(id string) error { return apierr.NotFound("district", DistrictName(id)) }

// ErrPledgeNotFound is the NOT_FOUND of a pledge.
func ErrPledgeNotFound(district, id string) error {
	return apierr.NotFound("pledge", PledgeName(district, id))
}

// ErrDepartmentNotFound is the NOT_FOUND of a department.
func ErrDepartmentNotFound(district, id string) error {
	return apierr.NotFound("department", DepartmentName(district, id))
}
