using System.Collections.Concurrent;
using System.Security.Cryptography;
using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Envelopes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace McpApi.Doors.Sse;

/// <summary>
/// Browsers' <c>EventSource</c> cannot send headers, and a key must never sit in a URL (it would reach logs and
/// histories). So an authenticated <c>POST /mcp/events/ticket</c> trades the credential for a random ticket that opens
/// one stream (<c>GET /mcp/events?topics=...&amp;ticket=...</c>): used once, valid for <c>Auth:TicketSeconds</c>.
/// </summary>
public sealed class SseTickets(TimeProvider time)
{
    private const int MaxOutstanding = 10_000;

    private readonly ConcurrentDictionary<string, (CallerIdentity Caller, DateTimeOffset Expires)> _tickets = new(StringComparer.Ordinal);

    /// <summary>A new ticket for <paramref name="caller"/>.</summary>
    public string Issue(CallerIdentity caller, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        if (_tickets.Count >= MaxOutstanding)
        {
            foreach (var (ticket, entry) in _tickets)
            {
                if (entry.Expires <= now)
                    _tickets.TryRemove(ticket, out _);
            }
        }
        var value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _tickets[value] = (caller, now + lifetime);
        return value;
    }

    /// <summary>The caller a ticket was issued to, once: a second use, an unknown or an expired ticket is null.</summary>
    public CallerIdentity? Redeem(string ticket) =>
        _tickets.TryRemove(ticket, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Caller : null;

    public sealed record TicketData(string Ticket, int ExpiresInSeconds);

    /// <summary><c>POST /mcp/events/ticket</c>: a ticket for the authenticated caller, or 401.</summary>
    internal static async Task<EnvelopeResult> IssueTicket(HttpContext http, CallerAuthentication authentication, SseTickets tickets)
    {
        var caller = await authentication.CallerAsync(http, "sse");
        if (!authentication.Required)
        {
            return EnvelopeEndpoints.Write(new DispatchResult(StatusCodes.Status200OK, new EnvelopeResponse(EnvelopeResponse.Success,
                "Authentication is off (Auth:Mode=None): open GET /mcp/events without a ticket.", null)));
        }
        if (caller.Identity is not { } identity)
        {
            await CallerAuthentication.ChallengeAsync(http);
            return EnvelopeEndpoints.Write(Dispatcher.Failure(Access.Unauthenticated(caller), caller.TraceId));
        }
        var seconds = authentication.Options.TicketSeconds;
        var ticket = tickets.Issue(identity, TimeSpan.FromSeconds(seconds));
        return EnvelopeEndpoints.Write(new DispatchResult(StatusCodes.Status200OK, new EnvelopeResponse(EnvelopeResponse.Success,
            $"A ticket for one event stream as '{identity.Name}', valid {seconds} seconds: GET /mcp/events?topics=...&ticket=<ticket>.",
            new TicketData(ticket, seconds))));
    }
}
