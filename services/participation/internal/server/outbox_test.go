package server_test

import (
	"context"
	"encoding/json"
	"testing"

	participationv1 "github.com/gongyak/gongyak/pkg/api/gongyak/participation/v1"
)

// A member's event in the outbox carries the member as a caller without
// the right to personal data sees it, and a read of the personal data,
// which changes nothing, writes no event.
func TestAMembersEventIsMaskedAndAReadWritesNone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tf, err := e.svc.CreateProgram(ctx, &participationv1.CreateProgramRequest{Parent: "districts/gwangsan", Program: &participationv1.Program{
		Kind: participationv1.ProgramKind_PROGRAM_KIND_TASK_FORCE, Title: "광산구정혁신 TF"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.CreateMember(ctx, &participationv1.CreateMemberRequest{Parent: tf.GetName(), Member: &participationv1.Member{
		Person: &participationv1.Person{Name: "정해정", Phone: "010-1234-5678", Email: "hj@example.kr"},
		Role:   participationv1.MemberRole_MEMBER_ROLE_CITIZEN}})
	if err != nil {
		t.Fatal(err)
	}
	var action, data string
	if err := e.pool.QueryRow(ctx, `SELECT action, data::text FROM outbox WHERE resource = $1`, m.GetName()).Scan(&action, &data); err != nil {
		t.Fatalf("the member's event in the outbox: %v", err)
	}
	var shown struct {
		Name   string
		Person struct{ Name, Phone, Email string }
	}
	if err := json.Unmarshal([]byte(data), &shown); err != nil {
		t.Fatal(err)
	}
	if action != "create" || shown.Name != m.GetName() || shown.Person.Name != "정*정" ||
		shown.Person.Phone == "010-1234-5678" || shown.Person.Email == "hj@example.kr" {
		t.Errorf("the member's event: %s %s; want create, the name read 정*정, phone and email masked", action, data)
	}

	count := func() (n int) {
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	got, err := e.svc.GetMember(e.as(t, viewer, personalData), &participationv1.GetMemberRequest{Name: m.GetName()})
	if err != nil || got.GetPerson().GetName() != "정해정" {
		t.Fatalf("an unmasked read: %v, %v", got.GetPerson().GetName(), err)
	}
	if after := count(); after != before {
		t.Errorf("an unmasked read of a member wrote %d events", after-before)
	}
}
