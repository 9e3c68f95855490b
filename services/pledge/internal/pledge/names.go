package pledge

import (
	"strconv"
	"strings"

	"github.com/gongyak/gongyak/pkg/apierr"
	"github.com/gongyak/gongyak/pkg/resourceid"
)

// ValidID reports whether id can be a resource id (AIP-122).
func ValidID(id string) bool { return resourceid.Valid(id) }

// CheckID refuses an id a client chose that is not a valid resource id.
func CheckID(field, id string) error { return resourceid.Check(field, id) }

// NewID returns a fresh server-assigned id.
func NewID() string { return resourceid.New() }

// DistrictName is `districts/{district}`.
func DistrictName(id string) string { return "districts/" + id }

// DepartmentName is `districts/{district}/departments/{department}`.
func DepartmentName(district, id string) string {
	return "districts/" + district + "/departments/" + id
}

// PledgeName is `districts/{district}/pledges/{pledge}`.
func PledgeName(district, id string) string { return "districts/" + district + "/pledges/" + id }

// StatusChangeName is
// `districts/{district}/pledges/{pledge}/statusChanges/{n}`.
func StatusChangeName(district, pledge string, n int64) string {
	return PledgeName(district, pledge) + "/statusChanges/" + strconv.FormatInt(n, 10)
}

// parseName matches name against collection/{id}/… segments and returns
// the ids, or an error naming field.
func parseName(field, name string, collections ...string) ([]string, error) {
	parts := strings.Split(name, "/")
	pattern := strings.Join(collections, "/{id}/") + "/{id}"
	if name == "" {
		return nil, apierr.Invalid(field, "is required: %s", pattern)
	}
	if len(parts) != 2*len(collections) {
		return nil, apierr.Invalid(field, "must look like %s", pattern)
	}
	ids := make([]string, len(collections))
	for i, c := range collections {
		if parts[2*i] != c || !ValidID(parts[2*i+1]) {
			return nil, apierr.Invalid(field, "must look like %s", pattern)
		}
		ids[i] = parts[2*i+1]
	}
	return ids, nil
}

// ParseDistrictName reads `districts/{district}` from field.
func ParseDistrictName(field, name string) (string, error) {
	ids, err := parseName(field, name, "districts")
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// ParseDepartmentName reads a department name from field.
func ParseDepartmentName(field, name string) (district, id string, err error) {
	ids, err := parseName(field, name, "districts", "departments")
	if err != nil {
		return "", "", err
	}
	return ids[0], ids[1], nil
}

// ParsePledgeName reads a pledge name from field.
func ParsePledgeName(field, name string) (district, id string, err error) {
	ids, err := parseName(field, name, "districts", "pledges")
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
