// Package dbrole gives each Gongyak service a PostgreSQL role of its own,
// gongyak_<schema>, which owns the service's schema and nothing else: a
// service reading another's tables is refused by the server, not only by
// convention. A user allowed to create roles (the superuser of `make run`'s
// cluster, the test server's user) creates the roles and the schemas; each
// service then migrates and uses its schema as its role.
package dbrole

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gongyak/gongyak/pkg/scram"
	"github.com/jackc/pgx/v5"
)

// Schemas are the services' schemas, one role each.
var Schemas = []string{"pledge", "budget", "indicator", "participation", "events"}

// lockKey is the advisory lock held while the roles are created: roles
// belong to the whole server, and test binaries sharing one create them at
// the same moment.
const lockKey = 0x676f6e6779616b + 1 // "gongyak" plus one; each schema's migrations have a lock of their own (dbschema)

// Name returns the role of the service owning schema: gongyak_<schema>.
func Name(schema string) string { return "gongyak_" + schema }

// IsService reports whether schema is one of the services'.
func IsService(schema string) bool { return slices.Contains(Schemas, schema) }

// EnsureRoles creates the role of each schema in passwords (schema to
// password) or, when it exists, sets its password and attributes again:
// it may log in, and it is no superuser and may create neither databases
// nor roles. conn's user must be a superuser or have CREATEROLE.
func EnsureRoles(ctx context.Context, conn *pgx.Conn, passwords map[string]string) error {
	var user string
	var super, createRole bool
	if err := conn.QueryRow(ctx, "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").
		Scan(&user, &super, &createRole); err != nil {
		return err
	}
	if !super && !createRole {
		return fmt.Errorf("the user %s may not create roles, and each service connects as a role of its own (gongyak_pledge, gongyak_budget, …): give it CREATEROLE (ALTER ROLE %s CREATEROLE) or use a user that has it",
			user, pgx.Identifier{user}.Sanitize())
	}
	schemas := make([]string, 0, len(passwords))
	for s := range passwords {
		if !IsService(s) {
			return fmt.Errorf("%q is no service's schema", s)
		}
		schemas = append(schemas, s)
	}
	slices.Sort(schemas)
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
			return err
		}
		for _, s := range schemas {
			role := pgx.Identifier{Name(s)}.Sanitize()
			var exists bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", Name(s)).Scan(&exists); err != nil {
				return err
			}
			verb, attributes := "CREATE", "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
			if exists {
				verb = "ALTER"
				if !super {
					// Only a superuser may name the attributes only a
					// superuser grants, even to deny them.
					attributes = "LOGIN NOCREATEDB NOCREATEROLE"
				}
			}
			// The server is given the password's SCRAM verifier, never
			// the password, which its log would show were the statement
			// to fail. (Utility statements take no parameters.)
			verifier, err := scram.Verifier(passwords[s])
			if err != nil {
				return fmt.Errorf("the password of %s: %w", Name(s), err)
			}
			if _, err := tx.Exec(ctx, fmt.Sprintf("%s ROLE %s WITH %s PASSWORD %s",
				verb, role, attributes, quoteLiteral(verifier))); err != nil {
				return fmt.Errorf("%s role %s: %w", strings.ToLower(verb), Name(s), err)
			}
			if !super {
				// A user with CREATEROLE may make a schema owned by a role
				// only as a member of it.
				if _, err := tx.Exec(ctx, "GRANT "+role+" TO CURRENT_USER"); err != nil {
					return fmt.Errorf("grant %s to %s: %w", Name(s), user, err)
				}
			}
		}
		return nil
	})
}

// PrepareDatabase readies the database conn is connected to for the
// services, as conn's user: it creates pg_trgm in public (the pledge
// service's migration asks for it only if it is missing, which needs no
// privilege), lets every service's role connect, and gives each of schemas
// to its role, creating it when it is missing. A schema an earlier version
// made as the superuser is handed over with everything in it; PrepareDatabase
// returns those it handed over. The roles must exist (EnsureRoles).
func PrepareDatabase(ctx context.Context, conn *pgx.Conn, schemas ...string) (adopted []string, err error) {
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"); err != nil {
		return nil, fmt.Errorf("create extension pg_trgm: %w", err)
	}
	var database string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&database); err != nil {
		return nil, err
	}
	if err := GrantConnect(ctx, conn, database); err != nil {
		return nil, err
	}
	for _, s := range schemas {
		if !IsService(s) {
			return adopted, fmt.Errorf("%q is no service's schema", s)
		}
		var owner string
		err := conn.QueryRow(ctx, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1", s).Scan(&owner)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE SCHEMA %s AUTHORIZATION %s",
				pgx.Identifier{s}.Sanitize(), pgx.Identifier{Name(s)}.Sanitize())); err != nil {
				return adopted, fmt.Errorf("create schema %s: %w", s, err)
			}
		case err != nil:
			return adopted, err
		case owner != Name(s):
			if err := adopt(ctx, conn, s); err != nil {
				return adopted, fmt.Errorf("hand the schema %s to %s: %w", s, Name(s), err)
			}
			adopted = append(adopted, s)
		}
	}
	return adopted, nil
}

// GrantConnect lets every service's role connect to database. (A database
// copied from a template does not copy who may connect to it.)
func GrantConnect(ctx context.Context, conn *pgx.Conn, database string) error {
	roles := make([]string, len(Schemas))
	for i, s := range Schemas {
		roles[i] = pgx.Identifier{Name(s)}.Sanitize()
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s", pgx.Identifier{database}.Sanitize(), strings.Join(roles, ", "))); err != nil {
		return fmt.Errorf("grant connect on %s: %w", database, err)
	}
	return nil
}

// ownedByOthers lists, as ALTER statements' object kinds and names, what
// in schema $1 the role $2 does not own. Indexes, sequences of identity
// columns, and the row and array types of tables follow their owners.
const ownedByOthers = `
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                      WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass::text
FROM pg_class c
WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.relowner <> $2::regrole
  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT 'ROUTINE', p.oid::regprocedure::text
FROM pg_proc p
WHERE p.pronamespace = $1::regnamespace AND p.proowner <> $2::regrole
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text
FROM pg_type t
WHERE t.typnamespace = $1::regnamespace AND t.typowner <> $2::regrole AND t.typtype IN ('e', 'd', 'r', 'c')
  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')`

// adopt makes schema's role the owner of the schema and of everything in
// it, in one transaction.
func adopt(ctx context.Context, conn *pgx.Conn, schema string) error {
	role := pgx.Identifier{Name(schema)}.Sanitize()
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Names printed by regclass and the like come schema-qualified
		// when only pg_catalog is searched.
		if _, err := tx.Exec(ctx, "SET LOCAL search_path TO pg_catalog"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER SCHEMA %s OWNER TO %s", pgx.Identifier{schema}.Sanitize(), role)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, ownedByOthers, schema, Name(schema))
		if err != nil {
			return err
		}
		var statements []string
		var kind, name string
		_, err = pgx.ForEachRow(rows, []any{&kind, &name}, func() error {
			statements = append(statements, fmt.Sprintf("ALTER %s %s OWNER TO %s", kind, name, role))
			return nil
		})
		if err != nil {
			return err
		}
		for _, st := range statements {
			if _, err := tx.Exec(ctx, st); err != nil {
				return fmt.Errorf("%s: %w", st, err)
			}
		}
		return nil
	})
}

// URL returns rawURL connecting as user with password instead of its own
// user.
func URL(rawURL, user, password string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", errors.New("the database URL does not parse") // its text may hold a password
	}
	u.User = url.UserPassword(user, password)
	return u.String(), nil
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
