using Serverless.BatchInference.Contracts;
using Serverless.BatchInference.Scheduling;

namespace Serverless.Orchestrations.Tests.Scheduling;

/// <summary>The scheduler's decisions, driven call by call as pages and jobs make them.</summary>
public sealed class SlotPolicyTests
{
    private readonly SchedulerState state = new();
    private DateTime now = new(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);

    private static SchedulingTerms Terms(string tenant = "", int slots = 4, TenantRules? rules = null) => new(slots, tenant, rules ?? TenantRules.Default);

    private SlotGrant Ask(string job, int page, int running, int want, string priority = "normal", SchedulingTerms? terms = null, long received = 0) =>
        new SlotPolicy(state, now).Acquire(new SlotRequest(job, $"~{job}:page:{page:D6}", priority, terms ?? Terms(), running, want, received));

    [Fact]
    public void A_page_gets_what_is_free_and_no_more_than_the_slots()
    {
        Assert.Equal(4, Ask("a", 0, 0, 8).Granted);
        var refused = Ask("b", 0, 0, 2);
        Assert.Equal(0, refused.Granted);
        Assert.Contains("all 4 work-unit slots are taken", refused.Waiting);
        // A finished unit gives its slot back in the same call that asks for the next; jobs take
        // turns, so the slot is set aside for the waiting job, whose page the caller is to tell.
        var next = Ask("a", 0, 3, 4);
        Assert.Equal(0, next.Granted);
        Assert.Equal([new SlotHandover("~b:page:000000", 1)], next.Notify);
        Assert.Equal(1, Ask("b", 0, 0, 2).Granted);
    }

    [Fact]
    public void A_page_takes_handed_slots_from_the_event_or_from_its_next_call_never_from_both()
    {
        Assert.Equal(4, Ask("a", 0, 0, 8).Granted);
        Assert.Equal(0, Ask("b", 0, 0, 8).Granted);
        // Two of a's units end: both slots are handed to b (its job's turn), counted from 1.
        Assert.Equal([new SlotHandover("~b:page:000000", 1)], Ask("a", 0, 3, 4).Notify);
        Assert.Equal([new SlotHandover("~b:page:000000", 2)], Ask("a", 0, 2, 4).Notify);
        Assert.Equal(2, state.Holders["~b:page:000000"].Held);
        // b heard of the first (it runs it) but not yet of the second: its call takes the second, and says it has all so far.
        var call = Ask("b", 0, 1, 7, received: 1);
        Assert.Equal(1, call.Granted);
        Assert.Equal(2, call.Handed);
        Assert.Equal(2, state.Holders["~b:page:000000"].Running);
        Assert.Equal(0, state.Holders["~b:page:000000"].Reserved);
        // Nothing is taken twice: a call that has received everything takes nothing more of it.
        Assert.Equal(0, Ask("b", 0, 2, 6, received: 2).Granted);
        Assert.Equal(4, state.Holders.Values.Sum(h => h.Held));
    }

    [Fact]
    public void A_page_that_no_longer_wants_handed_slots_gives_them_back_with_its_call()
    {
        Assert.Equal(4, Ask("a", 0, 0, 8).Granted);
        Assert.Equal(0, Ask("b", 0, 0, 1).Granted);
        Ask("a", 0, 3, 4);
        // b ended before the event reached it: its last call takes nothing and the slot is free again.
        var last = Ask("b", 0, 0, 0);
        Assert.Equal(0, last.Granted);
        Assert.False(state.Holders.ContainsKey("~b:page:000000"));
        Assert.Equal(1, Ask("a", 0, 3, 4).Granted);
    }

    [Fact]
    public void A_page_the_scheduler_forgot_is_counted_again_from_what_it_has_received()
    {
        Assert.Equal(4, Ask("a", 0, 0, 8).Granted);
        Assert.Equal(0, Ask("b", 0, 0, 8, received: 5).Granted);
        // The holder is new: its count starts where the page's does, so the next handover gives it one slot, not six.
        Assert.Equal([new SlotHandover("~b:page:000000", 6)], Ask("a", 0, 3, 4).Notify);
    }

    [Fact]
    public void A_page_hears_whether_another_jobs_page_waits_for_slots()
    {
        Assert.False(Ask("a", 0, 0, 4).Contended);
        Assert.False(Ask("a", 1, 0, 4).Contended); // its own job's other page waits: caller-first, not contended
        Assert.True(Ask("b", 0, 0, 2).Contended); // a's pages want more: b is told others wait
        Assert.True(Ask("a", 0, 3, 1).Contended);
        Ask("a", 1, 0, 0);
        Ask("a", 0, 0, 0);
        Assert.False(Ask("b", 0, 2, 0).Contended);
    }

    [Fact]
    public void A_freed_slot_goes_to_the_waiting_higher_priority_page_which_is_told()
    {
        Assert.Equal(4, Ask("low", 0, 0, 8, "low").Granted);
        Assert.Equal(0, Ask("high", 0, 0, 4, "high").Granted);

        // The low page's unit ends: its slot is set aside for the high page, which it is to tell.
        var lowCall = Ask("low", 0, 3, 5, "low");
        Assert.Equal(0, lowCall.Granted);
        Assert.Equal(["~high:page:000000"], lowCall.Notify.Select(n => n.Page));
        Assert.Equal(1, Ask("high", 0, 0, 4, "high").Granted);
        // While the high page wants, every slot freed is its.
        for (var running = 2; running >= 0; running--)
            Assert.Equal(0, Ask("low", 0, running, 5, "low").Granted);
        Assert.Equal(3, Ask("high", 0, 1, 3, "high").Granted);
    }

    [Fact]
    public void While_higher_priority_work_runs_lower_work_gets_no_new_slot_even_a_free_one()
    {
        Assert.Equal(1, Ask("high", 0, 0, 1, "high").Granted);
        var low = Ask("low", 0, 0, 8, "low");
        Assert.Equal(0, low.Granted);
        Assert.Equal("high-priority work runs: low priority work gets no new work-unit slot until it ends (or this job ages)", low.Waiting);
        // Once the high job is released, the low one takes every slot, handed to it.
        var release = new SlotPolicy(state, now).Release("high");
        Assert.Equal([new SlotHandover("~low:page:000000", 4)], release.Pages);
        Assert.Equal(4, Ask("low", 0, 0, 8, "low").Granted);
    }

    [Fact]
    public void A_tenant_whose_job_is_starting_keeps_its_share_free_while_another_tenant_asks_for_everything()
    {
        var a = Terms("team-a");
        var b = Terms("team-b");
        // team-b's job started (admitted) and has no page yet: its model check and listing are on their way.
        Assert.True(new SlotPolicy(state, now).Admit(new JobAdmissionRequest("b", "normal", b)).Admitted);
        Assert.Equal(2, Ask("a", 0, 0, 8, terms: a).Granted);
        Assert.Equal(2, Ask("b", 0, 0, 8, terms: b).Granted);
        // team-b's pages want nothing more (its merge): team-a takes what is free.
        Ask("b", 0, 0, 0, terms: b);
        new SlotPolicy(state, now).Release("b");
        Assert.Equal(2, Ask("a", 0, 2, 6, terms: a).Granted);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 1)]
    public void Tenants_share_saturated_slots_by_weight(int weightA, int weightB)
    {
        var a = Terms("team-a", slots: 6, rules: new TenantRules(Weight: weightA));
        var b = Terms("team-b", slots: 6, rules: new TenantRules(Weight: weightB));
        // Both always want more than there is; each round every unit of a page ends (units take the
        // same time), and the page asks again. A slot counts when its page receives it.
        var served = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        for (var round = 0; round < 60; round++)
            foreach (var (job, terms) in new[] { ("a", a), ("b", b) })
                served[job] += Ask(job, 0, 0, 100, terms: terms).Granted;
        var expected = weightB / (double)weightA;
        Assert.InRange(served["b"] / (double)served["a"], expected * 0.9, expected * 1.1);
    }

    [Fact]
    public void Among_a_jobs_own_pages_the_page_that_frees_a_slot_takes_it_back_without_a_round_trip()
    {
        Assert.Equal(4, Ask("j", 0, 0, 4).Granted);
        Assert.Equal(0, Ask("j", 1, 0, 4).Granted);
        // Page 0's unit ends and it wants another: it gets the slot at once; page 1 is not told to come and ask.
        var next = Ask("j", 0, 3, 1);
        Assert.Equal(1, next.Granted);
        Assert.Empty(next.Notify);
        // Page 0 is done: its slots are handed to page 1.
        Assert.Equal([new SlotHandover("~j:page:000001", 1)], Ask("j", 0, 3, 0).Notify);
    }

    [Fact]
    public void A_tenant_at_its_max_units_waits_saying_so_while_others_use_the_slots()
    {
        var capped = Terms("team-a", slots: 8, rules: new TenantRules(MaxUnits: 2));
        Assert.Equal(2, Ask("a", 0, 0, 8, terms: capped).Granted);
        var again = Ask("a", 1, 0, 8, terms: capped);
        Assert.Equal(0, again.Granted);
        Assert.Equal("tenant team-a holds 2 of its 2 work units (maxUnits)", again.Waiting);
        Assert.Equal(6, Ask("b", 0, 0, 8, terms: Terms("team-b", slots: 8)).Granted);
    }

    [Fact]
    public void Low_priority_waiting_long_enough_ages_to_high_and_is_not_starved()
    {
        Ask("high", 0, 0, 100, "high", Terms(slots: 2));
        Assert.Equal(0, Ask("low", 0, 0, 1, "low", Terms(slots: 2)).Granted);
        now += SchedulingRules.AgingStep;
        Assert.Equal("normal", Ask("low", 0, 0, 1, "low", Terms(slots: 2)).Priority);
        now += SchedulingRules.AgingStep;
        Assert.Equal("high", Ask("low", 0, 0, 1, "low", Terms(slots: 2)).Priority);
        // Now equal in rank, the low job takes its turn when the high job's unit ends.
        Ask("high", 0, 1, 99, "high", Terms(slots: 2));
        Assert.Equal(1, state.Holders["~low:page:000000"].Reserved);
    }

    [Fact]
    public void An_admins_change_of_priority_wins_over_what_the_pages_say()
    {
        Ask("j", 0, 0, 4, "low");
        new SlotPolicy(state, now).SetPriority(new PriorityChange("j", "high"));
        Assert.Equal("high", Ask("j", 0, 4, 4, "low").Priority);
        new SlotPolicy(state, now).SetPriority(new PriorityChange("j", "low"));
        // Lowered while it runs: with nobody else wanting, it still gets the free slots.
        Assert.Equal(4, Ask("j", 0, 0, 4, "normal").Granted);
        Assert.Equal("low", Ask("j", 0, 4, 0, "normal").Priority);
    }

    [Fact]
    public void A_lost_state_is_learned_again_from_the_pages_next_calls_without_granting_past_the_slots()
    {
        Ask("a", 0, 0, 4);
        state.Holders.Clear();
        state.Jobs.Clear();
        state.Tenants.Clear();
        // The page still runs 4: it says so, and the scheduler counts them before granting to anyone.
        Assert.Equal(0, Ask("a", 0, 4, 4).Granted);
        Assert.Equal(0, Ask("b", 0, 0, 4).Granted);
        Assert.Equal(1, Ask("a", 0, 3, 4).Granted + state.Holders["~b:page:000000"].Reserved);
    }

    [Fact]
    public void Holders_that_stop_calling_give_their_slots_back_after_the_lease()
    {
        Ask("dead", 0, 0, 4);
        Assert.Equal(0, Ask("b", 0, 0, 4).Granted);
        now += SchedulingRules.HolderLease + TimeSpan.FromSeconds(1);
        Assert.Equal(4, Ask("b", 0, 0, 4).Granted);
        Assert.False(state.Jobs.ContainsKey("dead"));
    }

    [Fact]
    public void A_finished_page_gives_every_slot_back_and_is_forgotten()
    {
        Ask("a", 0, 0, 4);
        Ask("a", 0, 0, 0);
        Assert.Empty(state.Holders);
        Assert.Equal(4, Ask("b", 0, 0, 4).Granted);
    }

    [Fact]
    public void Jobs_over_the_tenants_running_quota_wait_in_priority_order_and_start_when_one_is_released()
    {
        var terms = Terms("team-a", rules: new TenantRules(MaxRunningJobs: 1));
        var policy = new SlotPolicy(state, now);
        Assert.True(policy.Admit(new JobAdmissionRequest("first", "normal", terms)).Admitted);
        var second = policy.Admit(new JobAdmissionRequest("second", "normal", terms));
        Assert.False(second.Admitted);
        Assert.Equal("tenant team-a runs 1 of its 1 jobs (maxRunningJobs); this job starts when one ends", second.Waiting);
        now += TimeSpan.FromSeconds(1);
        Assert.False(new SlotPolicy(state, now).Admit(new JobAdmissionRequest("urgent", "high", terms)).Admitted);
        // Another tenant is not held by team-a's quota.
        Assert.True(new SlotPolicy(state, now).Admit(new JobAdmissionRequest("other", "low", Terms("team-b"))).Admitted);

        var release = new SlotPolicy(state, now).Release("first");
        Assert.Equal(["second", "urgent"], release.Jobs.Order().ToArray());
        // The high-priority job goes first, though it came later.
        Assert.False(new SlotPolicy(state, now).Admit(new JobAdmissionRequest("second", "normal", terms)).Admitted);
        Assert.True(new SlotPolicy(state, now).Admit(new JobAdmissionRequest("urgent", "high", terms)).Admitted);
        // A waiting job is told the priority an admin gave it (its status shows it before it starts).
        new SlotPolicy(state, now).SetPriority(new PriorityChange("second", "low"));
        Assert.Equal("low", new SlotPolicy(state, now).Admit(new JobAdmissionRequest("second", "normal", terms)).Priority);
    }

    [Fact]
    public void A_released_job_frees_its_pages_slots_for_the_waiting_pages_it_names()
    {
        Ask("a", 0, 0, 4);
        Ask("b", 0, 0, 4);
        var release = new SlotPolicy(state, now).Release("a");
        Assert.Equal([new SlotHandover("~b:page:000000", 4)], release.Pages);
        Assert.Equal(4, state.Holders["~b:page:000000"].Reserved);
        Assert.Equal(4, Ask("b", 0, 0, 4).Granted);
    }

    [Theory]
    [InlineData("HIGH", "high")]
    [InlineData(" low ", "low")]
    [InlineData("urgent", null)]
    [InlineData("", null)]
    public void Priority_names_are_parsed_case_insensitively_and_nothing_else_is_one(string text, string? expected) =>
        Assert.Equal(expected, JobPriority.Parse(text));

    [Fact]
    public void A_waiting_page_asks_again_only_after_its_jobs_handovers_had_time_to_come()
    {
        // The task hub's queue shows a timer's message in whole seconds, the fraction dropped: a 1 s poll fired at once,
        // a scheduler round trip at nearly every page's start before its job's other page handed it slots.
        Assert.True(SchedulingRules.PagePoll >= TimeSpan.FromSeconds(3), $"a page polls every {SchedulingRules.PagePoll}");
    }
}
