using Serverless.BatchInference.Contracts;

namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// The scheduler's decisions over its state at one moment: which page gets the next free unit
/// slot, which job may start. Strict priority between levels (while a higher job runs, lower work gets no new
/// slot; aging, <see cref="SchedulingRules.AgingStep"/>, lifts waiting work a level at a time),
/// stride scheduling between the tenants of a level (the tenant with the least slots over weight
/// goes next), turns between the jobs of a tenant, and the tenants' soft quotas. Pure: the entity
/// (<see cref="JobScheduler"/>) persists the state; tests drive this directly.
/// </summary>
public sealed class SlotPolicy(SchedulerState state, DateTime now)
{
    /// <summary>A page's call: takes back what it finished, hands out what is free, answers what it may start.</summary>
    public SlotGrant Acquire(SlotRequest request)
    {
        Expire();
        state.Slots = Math.Max(1, request.Terms.Slots);
        var tenant = Tenant(request.Terms);
        var job = Job(request.JobId, request.Terms.Tenant, request.Priority);
        job.Admitted = true; // a page runs: its job started, whatever the state forgot
        job.Waiting = null;
        job.LastSeen = now;

        // Whether the tenant wanted slots before this call (this page included): one that starts wanting again catches up.
        var tenantWaited = state.Holders.Values.Any(h => Wants(h) && JobOf(h)?.Tenant == job.Tenant);
        if (!state.Holders.TryGetValue(request.PageId, out var holder))
            state.Holders[request.PageId] = holder = new SlotHolder { JobId = request.JobId, Handed = request.Received };
        holder.LastSeen = now;
        // What it took of the slots handed to it since its last call is in what it runs; those still on their way it takes now, up to what it wants.
        var onTheirWay = (int)Math.Min(holder.Reserved, Math.Max(holder.Handed - request.Received, 0));
        var granted = Math.Min(onTheirWay, Math.Max(request.Want, 0));
        holder.Reserved = 0;
        holder.Running = Math.Max(request.Running, 0) + granted;
        holder.Want = Math.Max(request.Want, 0) - granted;
        if (!tenantWaited && holder.Want > 0)
            CatchUp(tenant, job.Tenant);

        var notify = new List<SlotHandover>();
        granted += Distribute(request.PageId, notify);
        if (granted > 0)
            job.WaitingSince = null;
        else if (holder.Want > 0)
            job.WaitingSince ??= now;
        holder.Waiting = holder.Want > 0 ? WhyWaiting(job, tenant) : null;
        if (holder.Running == 0 && holder.Want == 0 && holder.Reserved == 0)
            state.Holders.Remove(request.PageId);
        // A page of another job that waits for slots: the caller's freed slots must come back at once.
        var contended = state.Holders.Any(p => p.Value.JobId != request.JobId && Wants(p.Value));
        return new SlotGrant(granted, holder.Waiting, EffectivePriority(job), notify, contended, holder.Handed);
    }

    /// <summary>A job asking to start: yes unless its tenant runs its quota of jobs, or a job of the tenant that waits longer or ranks higher is first.</summary>
    public JobAdmission Admit(JobAdmissionRequest request)
    {
        Expire();
        var tenant = Tenant(request.Terms);
        var job = Job(request.JobId, request.Terms.Tenant, request.Priority);
        job.LastSeen = now;
        if (!job.Admitted)
        {
            var max = tenant.Rules.MaxRunningJobs;
            var running = state.Jobs.Values.Count(j => j.Admitted && j.Tenant == job.Tenant);
            var first = state.Jobs.Where(p => !p.Value.Admitted && p.Value.Tenant == job.Tenant)
                .OrderByDescending(p => Rank(p.Value)).ThenBy(p => p.Value.Arrived).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
            if ((max is null || running < max) && first == request.JobId)
            {
                job.Admitted = true;
                job.Waiting = null;
                job.WaitingSince = null;
            }
            else
            {
                job.WaitingSince ??= now;
                job.Waiting = max is not null && running >= max
                    ? $"tenant {TenantName(job.Tenant)} runs {running} of its {max} jobs (maxRunningJobs); this job starts when one ends"
                    : $"another job of tenant {TenantName(job.Tenant)} waits ahead of it for the same quota (maxRunningJobs)";
            }
        }
        return new JobAdmission(job.Admitted, job.Waiting, EffectivePriority(job));
    }

    /// <summary>A job ended (or was terminated): its slots and its place go back; says whom that served.</summary>
    public JobRelease Release(string jobId)
    {
        state.Jobs.Remove(jobId);
        foreach (var page in state.Holders.Where(p => p.Value.JobId == jobId).Select(p => p.Key).ToList())
            state.Holders.Remove(page);
        Expire();
        var pages = new List<SlotHandover>();
        Distribute(caller: null, pages);
        var jobs = state.Jobs.Where(p => !p.Value.Admitted).Select(p => p.Key).ToList();
        return new JobRelease(pages, jobs);
    }

    /// <summary>An admin's change of a job's priority: applies to its waiting and running pages from their next call.</summary>
    public void SetPriority(PriorityChange change)
    {
        var job = Job(change.JobId, tenant: null, change.Priority);
        job.Priority = JobPriority.Parse(change.Priority) ?? JobPriority.Normal;
        job.PrioritySet = true;
        job.LastSeen = now;
        job.WaitingSince = null; // aging counts from the change
    }

    /// <summary>An admin's change of a tenant's weight and quotas (null: deleted, back to what its jobs carry).</summary>
    public void SetTenant(TenantChange change)
    {
        if (!state.Tenants.TryGetValue(change.Tenant, out var tenant))
            state.Tenants[change.Tenant] = tenant = new ScheduledTenant();
        tenant.Rules = change.Rules ?? TenantRules.Default;
        tenant.RulesSet = change.Rules is not null;
    }

    /// <summary>The priority that ranks the job now: its own, raised one level per <see cref="SchedulingRules.AgingStep"/> waited.</summary>
    public string EffectivePriority(ScheduledJob job) => JobPriority.OfRank(Rank(job));

    /// <summary>Forgets holders and jobs that stopped calling (terminated or purged without a release).</summary>
    public void Expire()
    {
        foreach (var (page, holder) in state.Holders.ToList())
            if (now - holder.LastSeen > SchedulingRules.HolderLease)
                state.Holders.Remove(page);
        foreach (var (id, job) in state.Jobs.ToList())
        {
            var lease = job.Admitted ? SchedulingRules.HolderLease : SchedulingRules.WaitingJobLease;
            if (now - job.LastSeen > lease && !state.Holders.Values.Any(h => h.JobId == id))
                state.Jobs.Remove(id);
        }
    }

    /// <summary>Gives each free slot to the best page that wants one: to the caller directly, to the others handed over (<paramref name="notify"/>).</summary>
    private int Distribute(string? caller, List<SlotHandover> notify)
    {
        var toCaller = 0;
        var free = state.Slots - state.Holders.Values.Sum(h => h.Held);
        while (free > 0 && Best(caller) is { } best)
        {
            var (page, holder, job, tenant) = best;
            if (page == caller)
            {
                holder.Running++;
                holder.Want--;
                toCaller++;
            }
            else
            {
                holder.Reserved++;
                holder.Handed++;
                notify.RemoveAll(n => n.Page == page);
                notify.Add(new SlotHandover(page, holder.Handed));
            }
            tenant.Pass += 1.0 / Math.Max(tenant.Rules.Weight, 1);
            job.Served++;
            job.WaitingSince = null;
            state.Granted++;
            free--;
        }
        return toCaller;
    }

    private (string Page, SlotHolder Holder, ScheduledJob Job, ScheduledTenant Tenant)? Best(string? caller)
    {
        (string, SlotHolder, ScheduledJob, ScheduledTenant)? best = null;
        (int Rank, double Pass, long Served, bool Away, int Held, string Page) bestKey = default;
        // While a job of a higher priority runs (from its start to its release), lower work gets no new slot, even
        // a free one: whatever lower work queues runs ahead of that job's model check, listing, units and merge
        // in the one FIFO work-item queue. What lower work already runs finishes; aging lifts it in the end.
        var top = state.Jobs.Values.Where(j => j.Admitted).Select(Rank).DefaultIfEmpty(0).Max();
        var shares = FairShares(top);
        foreach (var (page, holder) in state.Holders)
        {
            if (!Wants(holder) || JobOf(holder) is not { Admitted: true } job || !state.Tenants.TryGetValue(job.Tenant, out var tenant))
                continue;
            if (tenant.Rules.MaxUnits is { } max && TenantHeld(job.Tenant) >= max)
                continue;
            if (Rank(job) < top)
                continue;
            if (shares.TryGetValue(job.Tenant, out var share) && TenantHeld(job.Tenant) >= share)
                continue;
            // Among a job's own pages the caller goes first: it is here now, another page would have to be told and ask.
            var key = (Rank(job), tenant.Pass, job.Served, page != caller, holder.Held, page);
            if (best is null || Better(key, bestKey))
                (best, bestKey) = ((page, holder, job, tenant), key);
        }
        return best;
    }

    /// <summary>
    /// Each contending tenant's share of the slots by weight, when two or more contend at the top rank: a tenant
    /// contends while one of its admitted jobs wants slots or has no page yet (it is starting: its model check and
    /// listing would queue behind the others' units). A tenant alone, or at its maxUnits, takes what is free.
    /// </summary>
    private Dictionary<string, int> FairShares(int top)
    {
        var contenders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, job) in state.Jobs)
        {
            if (!job.Admitted || Rank(job) != top)
                continue;
            var pages = state.Holders.Values.Where(h => h.JobId == id).ToList();
            if (pages.Count == 0 || pages.Any(Wants))
                contenders.Add(job.Tenant);
        }
        contenders.RemoveWhere(t => !state.Tenants.TryGetValue(t, out var tenant) || (tenant.Rules.MaxUnits is { } max && TenantHeld(t) >= max));
        if (contenders.Count < 2)
            return [];
        var total = contenders.Sum(t => Math.Max(state.Tenants[t].Rules.Weight, 1));
        return contenders.ToDictionary(t => t, t => Math.Max(1, (int)Math.Ceiling(state.Slots * (double)Math.Max(state.Tenants[t].Rules.Weight, 1) / total)), StringComparer.Ordinal);
    }

    private static bool Better((int Rank, double Pass, long Served, bool Away, int Held, string Page) a, (int Rank, double Pass, long Served, bool Away, int Held, string Page) b) =>
        a.Rank != b.Rank ? a.Rank > b.Rank
        : a.Pass != b.Pass ? a.Pass < b.Pass
        : a.Served != b.Served ? a.Served < b.Served
        : a.Away != b.Away ? !a.Away
        : a.Held != b.Held ? a.Held < b.Held
        : string.CompareOrdinal(a.Page, b.Page) < 0;

    private string WhyWaiting(ScheduledJob job, ScheduledTenant tenant)
    {
        var held = TenantHeld(job.Tenant);
        if (tenant.Rules.MaxUnits is { } max && held >= max)
            return $"tenant {TenantName(job.Tenant)} holds {held} of its {max} work units (maxUnits)";
        var byPriority = state.Holders.Values.Where(h => h.Held > 0 && JobOf(h) is not null)
            .GroupBy(h => EffectivePriority(JobOf(h)!)).OrderByDescending(g => JobPriority.Rank(g.Key))
            .Select(g => $"{g.Sum(h => h.Held)} {g.Key}");
        var top = state.Jobs.Values.Where(j => j.Admitted).Select(Rank).DefaultIfEmpty(0).Max();
        if (Rank(job) < top)
            return $"{JobPriority.OfRank(top)}-priority work runs: {EffectivePriority(job)} priority work gets no new work-unit slot until it ends (or this job ages)";
        return $"all {state.Slots} work-unit slots are taken ({string.Join(", ", byPriority)}); {EffectivePriority(job)} priority";
    }

    /// <summary>A tenant that starts wanting again joins at the least pass of those waiting, not with credit saved while idle.</summary>
    private void CatchUp(ScheduledTenant tenant, string name)
    {
        var others = state.Holders.Values.Where(Wants).Select(JobOf).Where(j => j is not null && j.Tenant != name)
            .Select(j => state.Tenants.TryGetValue(j!.Tenant, out var t) ? t.Pass : 0).ToList();
        var busy = state.Holders.Values.Where(h => h.Held > 0).Select(JobOf).Where(j => j is not null && j.Tenant != name)
            .Select(j => state.Tenants.TryGetValue(j!.Tenant, out var t) ? t.Pass : 0).ToList();
        var floor = others.Count > 0 ? others.Min() : busy.Count > 0 ? busy.Min() : (double?)null;
        if (floor is { } f && tenant.Pass < f)
            tenant.Pass = f;
    }

    private int Rank(ScheduledJob job)
    {
        var rank = JobPriority.Rank(job.Priority);
        if (job.WaitingSince is { } since && now > since)
            rank += (int)((now - since).Ticks / SchedulingRules.AgingStep.Ticks);
        return Math.Min(rank, JobPriority.Rank(JobPriority.High));
    }

    private ScheduledTenant Tenant(SchedulingTerms terms)
    {
        if (!state.Tenants.TryGetValue(terms.Tenant, out var tenant))
            state.Tenants[terms.Tenant] = tenant = new ScheduledTenant();
        if (!tenant.RulesSet)
            tenant.Rules = terms.Rules;
        return tenant;
    }

    private ScheduledJob Job(string jobId, string? tenant, string priority)
    {
        if (!state.Jobs.TryGetValue(jobId, out var job))
            state.Jobs[jobId] = job = new ScheduledJob { Arrived = now, LastSeen = now, Priority = JobPriority.Parse(priority) ?? JobPriority.Normal };
        if (tenant is not null)
            job.Tenant = tenant;
        if (!job.PrioritySet)
            job.Priority = JobPriority.Parse(priority) ?? JobPriority.Normal;
        return job;
    }

    private ScheduledJob? JobOf(SlotHolder holder) => state.Jobs.GetValueOrDefault(holder.JobId);

    private static bool Wants(SlotHolder holder) => holder.Want > holder.Reserved;

    private int TenantHeld(string tenant) => state.Holders.Values.Where(h => JobOf(h)?.Tenant == tenant).Sum(h => h.Held);

    private static string TenantName(string tenant) => tenant.Length == 0 ? "(none)" : tenant;
}
