package main

import (
	"context"
	"fmt"
	"os"

	pledgev1 "github.com/gongyak/gongyak/pkg/api/gongyak/pledge/v1"
	"github.com/gongyak/gongyak/pkg/grpcclient"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// gwangsan is the district the suite starts with: 광주광역시 광산구 and its
// terms 민선 7기 (published), 8기 and 9기 (current).
func gwangsan() *pledgev1.District {
	day := func(y, m, d int32) *date.Date { return &date.Date{Year: y, Month: m, Day: d} }
	return &pledgev1.District{
		DisplayName:            "광산구",
		Kind:                   pledgev1.DistrictKind_DISTRICT_KIND_AUTONOMOUS_DISTRICT,
		MetropolitanGovernment: "광주광역시",
		Terms: []*pledgev1.Term{
			// The demo card's term is published, as its card was: anyone may
			// read it without signing in.
			{Number: 7, DisplayName: "민선 7기", StartDate: day(2018, 7, 1), EndDate: day(2022, 6, 30), HeadOfGovernment: "김삼호", Public: true},
			{Number: 8, DisplayName: "민선 8기", StartDate: day(2022, 7, 1), EndDate: day(2026, 6, 30), HeadOfGovernment: "박병규"},
			{Number: 9, DisplayName: "민선 9기", StartDate: day(2026, 7, 1), EndDate: day(2030, 6, 30)},
		},
		CurrentTerm: 9,
	}
}

// seed creates the district gwangsan unless it exists, with the department
// 법무지원과 (legal-support, which the development department editor
// edits), and then imports the Gwangsan card as demo data, so a new user
// sees a whole card at once; the data of earlier runs is left as it is.
// It calls as the bearer of token, a system admin.
func seed(ctx context.Context, pledgeAddr, httpAddr, demoCard, token string) error {
	ctx = withToken(ctx, token)
	conn, err := grpcclient.Dial(pledgeAddr)
	if err != nil {
		return err
	}
	defer conn.Close()
	districts := pledgev1.NewDistrictServiceClient(conn)
	_, err = districts.GetDistrict(ctx, &pledgev1.GetDistrictRequest{Name: "districts/gwangsan"})
	if status.Code(err) != codes.NotFound {
		return err
	}
	_, err = districts.CreateDistrict(ctx, &pledgev1.CreateDistrictRequest{
		District: gwangsan(), DistrictId: "gwangsan", RequestId: "seed-district-gwangsan",
	})
	if err != nil {
		return err
	}
	if _, err := districts.CreateDepartment(ctx, &pledgev1.CreateDepartmentRequest{
		Parent: "districts/gwangsan", DepartmentId: "legal-support", RequestId: "seed-department-legal-support",
		Department: &pledgev1.Department{DisplayName: "법무지원과", Teams: []string{"법무규제혁신팀"}, Phone: "062) 960-8891"},
	}); err != nil {
		return err
	}
	fmt.Println("seeded the district gwangsan (광주광역시 광산구) with 민선 7기 (published: readable without signing in), 8기 and 9기, and its department 법무지원과")
	text, err := os.ReadFile(demoCard)
	if err != nil {
		fmt.Printf("no demo card imported (%v)\n", err)
		return nil
	}
	resp, err := pledgev1.NewPledgeServiceClient(conn).ImportPledgeCard(ctx, &pledgev1.ImportPledgeCardRequest{
		Parent: "districts/gwangsan", CardText: string(text), Term: 7,
	})
	if err != nil {
		return fmt.Errorf("importing the demo card %s: %w", demoCard, err)
	}
	fmt.Printf("imported the demo card: %s (%s)\n  see http://%s/v1/%s:render\n", resp.GetPledge().GetTitle(), resp.GetPledge().GetName(),
		httpAddr, resp.GetPledge().GetName())
	return nil
}
