<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConfigurePage</name>
    <message>
        <source>No model open: open one on the Model page first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheme and recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>custom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AutoRound scheme presets: weight bits, 16-bit activations, group size 128 unless named</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bits per weight: 2, 3, 4 or 8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights sharing one scale; -1 = one group per output channel. Smaller groups: more accurate, larger file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>symmetric</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Symmetric (full-range, no zero point per group) or asymmetric (a zero point per group)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto-round: 200 iterations; -best: 1000 iterations, 512 samples; -light: 50 iterations; RTN: no tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SignSGD steps per block; 0 = round-to-nearest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration sequences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens per calibration sequence (at most the model&apos;s context)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequences per tuning step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bits:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recipe:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Iterations:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Samples:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the blocks are tuned; this LibTorch build runs on the CPU (default in Settings)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration data and output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local .txt or .jsonl (field &quot;text&quot;) files the block outputs are matched on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add calibration text files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the selected calibration file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text (*.txt *.jsonl *.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration files:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AutoRound format, loadable by transformers (with auto-round) and vLLM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPTQ format for GPTQ kernels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AWQ format (4-bit only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dequantized weights as a plain model: for evaluation, and for layers packed formats cannot hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export formats:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exports go to sub-folders named after the model, scheme and format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional: a text file to measure perplexity before and after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity of the original and of every export on this text, written into the model card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perplexity text (optional):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start quantization</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run SignRound on the model with these settings (Ctrl+R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a model on the Model page first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add at least one calibration file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration file not found: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluation text not found: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose at least one export format.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <source>No finished run yet: its exports appear here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export / file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Each export is a folder ready to load or upload; double-click to open it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the selected export&apos;s folder in the file manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-export in another format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packed formats keep the tuned scheme; GGUF mixes write each tensor in llama.cpp&apos;s type for that mix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new export goes into a sub-folder named after the model, scheme and format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the finished run in the chosen format from its checkpoint, without tuning again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2: %3 export(s), %4 in all. Checkpoint: %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open %1: no file manager is registered. The path is in the Folder column.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a format.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot re-export this run: %1. Quantize it again to export it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not saved to the run history: %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-export cancelled: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>SignRound Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a model and see what is in it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheme, recipe, calibration data and formats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live loss curves, progress and results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-layer losses and the accuracy-versus-size trade-off across runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The written files, open folder, re-export in another format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open model folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About SignRound Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A run is already in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (built with %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LibTorch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>oneDNN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BLAS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;SignRound Studio %1&lt;/h3&gt;&lt;p&gt;Quantize Hugging Face language models to 2–8 bits with SignRound (AutoRound).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About SignRound Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new language applies when SignRound Studio starts again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelPage</name>
    <message>
        <source>Open model folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder (config.json + *.safetensors) (Ctrl+O)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models opened before</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model open. Open a local model folder to begin.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Linear layers to quantize</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shape (out × in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1 …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (model_type %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2 KV heads, head_dim %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 in %n safetensors file(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 linear layers, %2 parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers marked &apos;ragged group&apos; have a dimension that is not a multiple of 32: they are tuned with a shorter last group, and the packed auto_round / GPTQ / AWQ exports keep them in full precision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ragged group; full precision in packed exports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open %1:
%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>the run&apos;s checkpoint folder is not known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its checkpoint is gone from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/state.json is damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the checkpoint in %1 is of an unfinished run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a later run with other settings replaced the checkpoint in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2, %3 iters</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <source>Finished runs of this model, newest first (from the run history)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No finished run yet: results appear here when a run ends.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block output MSE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per block: loss with round-to-nearest (initial) and with the tuned rounding (best)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every evaluated export of every run of this model: lower and further left is better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bits / group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initial loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Best loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Improvement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight error RTN → tuned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantized linear layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight bits and group size (-1: one group per output channel)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output MSE of the layer&apos;s block with round-to-nearest (the layers of a block are tuned together)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output MSE of the block with the tuned rounding and clipping that were kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much lower the tuned loss is than round-to-nearest&apos;s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relative weight error ||W − Q(W)|| / ||W||: tuning trades it for a lower output loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of weights rounded the other way than round-to-nearest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No finished run of %1 in the history yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 layers in %3 blocks, %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Summed block loss %1 % lower than round-to-nearest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>initial (RTN)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>best (SignRound)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (this run)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (other runs)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>original</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No perplexities yet: give an evaluation text on the Configure page</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResumeBanner</name>
    <message>
        <source>Unfinished run of %1 (%2), started %3: %4 of %5 blocks done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoint in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume (block %1 of %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue this run from its checkpoint with the settings it was started with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete this run&apos;s checkpoint and stop offering it</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n more unfinished run(s) will be offered after these.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <source>No run yet. Configure one and press Start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop after the current step; finished blocks stay checkpointed for --resume (Ctrl+.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold the run at its next step without using the CPU; press again to continue (Ctrl+P)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>iteration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block output MSE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mini-batch loss of the block being tuned, per SignSGD iteration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per block: round-to-nearest loss against the loss with the tuned rounding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RTN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SignRound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scheme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error RTN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error tuned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Flipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relative weight error ||W − Q(W)|| / ||W|| with round-to-nearest and tuned; share of weights rounded the other way</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exports written by the run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phase: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phase: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resuming at block %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantizing %1 linear layers in %2 blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tuning block %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>block %1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block %1: loss %2 → %3 (%4 % lower, best at iteration %5) in %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 blocks · elapsed %3 · ETA %4 · memory %5 (peak %6)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>—</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>calibration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exporting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>evaluating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused — press Continue (Ctrl+P) to go on, or Cancel to stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where new runs write their exports unless the Configure page says otherwise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default output folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device new runs tune on; this build of LibTorch runs on the CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System follows the desktop; Light and Dark use the same look on every platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language of the interface</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language applies when SignRound Studio starts again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>SignRound Studio: quantize language models with SignRound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folder to open at start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a PNG of the window, then exit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Page to show first: model, configure or run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration text file(s) to preset on the Configure page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start quantizing the given model with the Configure page&apos;s settings once it is open.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output folder to preset on the Configure page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Iterations to preset on the Configure page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluation text to preset on the Configure page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With --autostart: save every page as DIR/&lt;page&gt;-page.png after the run, then exit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Calibration samples to preset on the Configure page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group size to preset on the Configure page (32, 64, 128 or -1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight bits to preset on the Configure page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequence length to preset on the Configure page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interface language for this start: en or zh_CN (default: Settings).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme for this start: system, light or dark (default: Settings).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>srs::ui::ModelPage</name>
    <message>
        <source>Architecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Intermediate size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantizable</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
