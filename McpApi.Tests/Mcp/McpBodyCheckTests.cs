using System.Text;
using McpApi.Doors.Mcp;
using Xunit.Abstractions;

namespace McpApi.Tests.Mcp;

/// <summary>The check of every <c>POST /mcp</c> body is one parse over pooled memory: a good body costs no copy of itself.</summary>
public sealed class McpBodyCheckTests(ITestOutputHelper output)
{
    [Fact]
    public void AGoodRequestIsCheckedWithoutCopyingIt()
    {
        var body = Encoding.UTF8.GetBytes(
            """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"notes_add","arguments":{"context":{"notebook":"bench"},"data":{"text":""" +
            "\"" + new string('x', 4_000) + "\"}}}}");
        McpBodyCheck.Inspect(body, checkInitialize: true, out _, out _).ShouldBeNull(); // first use: JIT, the pool's arrays

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
            McpBodyCheck.Inspect(body, checkInitialize: true, out _, out _);
        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;

        output.WriteLine($"{perCall} bytes allocated per check of a {body.Length}-byte body");
        perCall.ShouldBeLessThan(256, $"{perCall} bytes allocated per check of a {body.Length}-byte body");
    }
}
