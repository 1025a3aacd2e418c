using System.Text.Json;
using McpApi.Dispatching;
using McpApi.Models.Chat;
using McpApi.Models.Notes;

namespace McpApi.Tests.Dispatching;

/// <summary>
/// The context reader builds an action's context record from the envelope's <c>context</c> directly (no JSON document
/// built and deserialized per request), with the same defaults and field errors as before.
/// </summary>
public sealed class ContextReaderTests
{
    [Fact]
    public void APlainStringAndAnObjectGiveTheSameRecordsAsBindingWould()
    {
        var notes = new ContextReader(typeof(NotesModel.NotebookContext));
        var chat = new ContextReader(typeof(ChatModel.SenderContext));
        var errors = new FieldErrors();

        notes.Read(Parse("\"work\""), errors, "notes", "latest").ShouldBe(new NotesModel.NotebookContext("work"));
        notes.Read(Parse("{}"), errors, "notes", "latest").ShouldBe(new NotesModel.NotebookContext());
        chat.Read(Parse("""{"user":"ana","room":null}"""), errors, "chat", "send").ShouldBe(new ChatModel.SenderContext("ana"));
        chat.Read(Parse("""{"room":"lobby","user":"ana"}"""), errors, "chat", "send").ShouldBe(new ChatModel.SenderContext("ana", "lobby"));
        errors.Count.ShouldBe(0);

        chat.Read(Parse("""{"room":"lobby","colour":"red"}"""), errors, "chat", "send").ShouldBeNull();
        errors.Has("context.colour").ShouldBeTrue();
        errors.Has("context.user").ShouldBeTrue();
    }

    [Fact]
    public void ReadingAContextAllocatesLittleMoreThanTheRecord()
    {
        var reader = new ContextReader(typeof(ChatModel.SenderContext));
        var context = Parse("""{"user":"ana","room":"lobby"}""");
        for (var i = 0; i < 3; i++)
            reader.Read(context, new FieldErrors(), "chat", "send");

        var errors = new FieldErrors();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = reader.Read(context, errors, "chat", "send");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        read.ShouldBe(new ChatModel.SenderContext("ana", "lobby"));
        // The two strings, the values and arguments arrays and the record: a few hundred bytes. A JsonObject written
        // out and deserialized again cost several times that.
        allocated.ShouldBeLessThan(512, $"reading the context allocated {allocated} bytes");
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
