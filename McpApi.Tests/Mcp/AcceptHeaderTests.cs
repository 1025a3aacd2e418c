using McpApi.Doors.Mcp;
using Microsoft.AspNetCore.Http;

namespace McpApi.Tests.Mcp;

/// <summary>The endpoint selector's reading of Accept, which runs for every <c>POST /mcp</c>: right, and without allocating.</summary>
public sealed class AcceptHeaderTests
{
    [Theory]
    [InlineData("application/json, text/event-stream", true)]
    [InlineData("text/event-stream", true)]
    [InlineData("TEXT/Event-Stream;q=0.5", true)]
    [InlineData("application/json,\ttext/event-stream ; charset=utf-8", true)]
    [InlineData("*/*", false)]
    [InlineData("application/json", false)]
    [InlineData("text/event-streams, text/event", false)]
    [InlineData("", false)]
    public void AnAcceptHeaderListingTheEventStreamMarksAnMcpClient(string accept, bool expected)
    {
        McpEndpointSelector.ListsEventStream(accept).ShouldBe(expected);

        var request = new DefaultHttpContext().Request;
        request.Headers.Accept = accept;
        McpEndpointSelector.IsMcpByHeaders(request).ShouldBe(expected);
    }

    [Fact]
    public void ReadingTheAcceptHeaderAllocatesNothing()
    {
        var request = new DefaultHttpContext().Request;
        request.Headers.Accept = "application/json, text/event-stream";
        McpEndpointSelector.IsMcpByHeaders(request).ShouldBeTrue(); // first use: JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            McpEndpointSelector.IsMcpByHeaders(request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBe(0, $"{allocated} bytes allocated reading the Accept header 100 times");
    }
}
