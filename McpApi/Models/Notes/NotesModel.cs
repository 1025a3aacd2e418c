using System.Text.Json;
using System.Text.Json.Nodes;
using McpApi.Dispatching;
using McpApi.Events;
using McpApi.Storage;
using Microsoft.Extensions.Options;

namespace McpApi.Models.Notes;

/// <summary>
/// "AI Sticky Notes", the seed's MCP server: notes kept in named notebooks.
/// Context: the notebook, as a string or <c>{"notebook": ...}</c> (default <c>default</c>).
/// </summary>
public sealed class NotesModel : IModelHandler
{
    public const string DefaultNotebook = "default";

    private readonly INoteStore _store;
    private readonly IEventPublisher _events;
    private readonly NotesOptions _options;

    public NotesModel(INoteStore store, IEventPublisher events, IOptions<NotesOptions> options)
    {
        _store = store;
        _events = events;
        _options = options.Value;
        Actions =
        [
            new("add", $"Adds a note (the data: non-empty text, at most Notes:MaxLength = {_options.MaxLength} characters) and returns it with its id.",
                """{"type":"string","minLength":1,"description":"The note's text."}""", AddAsync)
            {
                ExampleContext = "default",
                ExampleData = "Buy milk",
            },
            new("list", $"Lists the notebook's notes, oldest first, {ModelInput.DefaultPageSize} per page; pass nextAfter back as after for the next page.",
                $$$"""
                {"type":["object","null"],"properties":{
                  "limit":{"type":"integer","minimum":1,"maximum":{{{ModelInput.MaxPageSize}}},"default":{{{ModelInput.DefaultPageSize}}}},
                  "after":{"type":"integer","minimum":0,"description":"Only notes with a larger id."}},
                 "additionalProperties":false}
                """, ListAsync)
            {
                ExampleContext = "default",
                ExampleData = new JsonObject { ["limit"] = 10 },
                ReadOnly = true,
                Idempotent = true,
            },
            new("latest", "Returns the most recent note, or null when the notebook is empty.", ModelInput.NoDataSchema, LatestAsync)
            {
                ExampleContext = "default",
                ReadOnly = true,
                Idempotent = true,
            },
            new("delete", "Deletes a note by id.",
                """{"type":"object","properties":{"id":{"type":"integer","minimum":1}},"required":["id"],"additionalProperties":false}""", DeleteAsync)
            {
                ExampleContext = "default",
                ExampleData = new JsonObject { ["id"] = 1 },
                Destructive = true,
                Idempotent = true,
            },
            new("summary_prompt", $"Returns a prompt asking an AI to summarize the notebook's notes, the newest {_options.SummaryMaxNotes} at most (Notes:SummaryMaxNotes), oldest first (the seed's note_summary_prompt).",
                ModelInput.NoDataSchema, SummaryPromptAsync)
            {
                ExampleContext = "default",
                ReadOnly = true,
                Idempotent = true,
            },
        ];
    }

    public string Name => "notes";

    public string Description => "AI Sticky Notes: add, list, read the latest, delete and summarize notes in named notebooks (context: the notebook).";

    public IReadOnlyList<ModelAction> Actions { get; }

    private async ValueTask<ModelResult> AddAsync(ModelCall call, CancellationToken ct)
    {
        var notebook = Notebook(call);
        var text = call.Data.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
            throw RequestError.Invalid("data", "the note text is blank; send the note as a non-empty string, e.g. \"data\": \"Buy milk\".");
        if (text.Length > _options.MaxLength)
            throw RequestError.Invalid("data", $"the note is {text.Length} characters long; notes may have at most {_options.MaxLength} (Notes:MaxLength). Shorten it or split it into several notes.");

        var note = await _store.AddAsync(notebook, text, added =>
            _events.Publish(new ModelEvent("notes.added", $"notes:{notebook}", added, added.Id)), ct);
        return new ModelResult($"Note {note.Id} added to notebook '{notebook}'.", note);
    }

    private async ValueTask<ModelResult> ListAsync(ModelCall call, CancellationToken ct)
    {
        var notebook = Notebook(call);
        var limit = ModelInput.PageSize(call.Data);
        var after = ModelInput.OptionalLong(call.Data, "after") ?? 0;
        var notes = await _store.ListAsync(notebook, after, limit + 1, ct);
        long? nextAfter = notes.Count > limit ? notes[limit - 1].Id : null;
        var page = notes.Take(limit).ToArray();
        return new ModelResult($"{page.Length} note(s) from notebook '{notebook}'{(nextAfter is null ? "" : $"; more after id {nextAfter}")}.",
            new NoteList(notebook, page, nextAfter));
    }

    private async ValueTask<ModelResult> LatestAsync(ModelCall call, CancellationToken ct)
    {
        var notebook = Notebook(call);
        var note = await _store.LatestAsync(notebook, ct);
        return note is null
            ? new ModelResult($"No notes yet in notebook '{notebook}'.", null)
            : new ModelResult($"The latest note in notebook '{notebook}'.", note);
    }

    private async ValueTask<ModelResult> DeleteAsync(ModelCall call, CancellationToken ct)
    {
        var notebook = Notebook(call);
        var id = ModelInput.RequiredLong(call.Data, "id");
        if (!await _store.DeleteAsync(notebook, id, ct))
            throw RequestError.NotFound("note_not_found", $"Notebook '{notebook}' has no note {id}. The action 'list' shows its notes and their ids.");
        return new ModelResult($"Note {id} deleted from notebook '{notebook}'.", new { deleted = id });
    }

    private async ValueTask<ModelResult> SummaryPromptAsync(ModelCall call, CancellationToken ct)
    {
        var notebook = Notebook(call);
        var notes = await _store.NewestAsync(notebook, _options.SummaryMaxNotes, ct);
        var prompt = notes.Count == 0
            ? "There are no notes yet."
            : "Summarize the current notes: " + string.Join("\n", notes.Select(n => n.Text));
        var which = notes.Count < _options.SummaryMaxNotes
            ? $"the {notes.Count} note(s)"
            : $"the newest {notes.Count} notes (at most Notes:SummaryMaxNotes = {_options.SummaryMaxNotes})";
        return new ModelResult($"A prompt to summarize {which} of notebook '{notebook}'.",
            new NoteSummaryPrompt(notebook, notes.Count, prompt));
    }

    private static string Notebook(ModelCall call)
    {
        var notebook = ModelInput.FromContext(call, "notebook", textIsThisKey: true) ?? DefaultNotebook;
        var errors = new FieldErrors();
        ModelInput.CheckName(notebook, "context.notebook", errors, "\"default\"");
        errors.ThrowIfAny("The notebook name is invalid");
        return notebook;
    }

    public sealed record NoteList(string Notebook, IReadOnlyList<Note> Notes, long? NextAfter);

    public sealed record NoteSummaryPrompt(string Notebook, int Count, string Prompt);
}
