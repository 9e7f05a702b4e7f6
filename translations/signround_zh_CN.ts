<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AutoSchemePanel</name>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Average bits per weight the mix must meet or stay just under</source>
        <translation>混合方案的每权重平均位数须等于或略低于此值</translation>
    </message>
    <message>
        <source>Target bits:</source>
        <translation>目标位数：</translation>
    </message>
    <message>
        <source>Allow keeping a layer in full precision (16 bits per weight)</source>
        <translation>允许某层保持全精度（每权重 16 位）</translation>
    </message>
    <message>
        <source>Allow this scheme for a layer</source>
        <translation>允许某层使用此方案</translation>
    </message>
    <message>
        <source>Options:</source>
        <translation>选项：</translation>
    </message>
    <message>
        <source>Calibration sequences the sensitivities are measured on (AutoScheme&apos;s default: 16)</source>
        <translation>用于测量敏感度的校准序列数（AutoScheme 默认：16）</translation>
    </message>
    <message>
        <source>Samples:</source>
        <translation>样本数：</translation>
    </message>
    <message>
        <source>Tokens per calibration sequence for scoring</source>
        <translation>评分时每条校准序列的词元数</translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation>序列长度：</translation>
    </message>
    <message>
        <source>ignore scale / zero bits</source>
        <translation>忽略缩放 / 零点位数</translation>
    </message>
    <message>
        <source>Count only the weights&apos; bits, not the per-group scales and zero points</source>
        <translation>只计权重本身的位数，不计每组的缩放和零点</translation>
    </message>
    <message>
        <source>Score layers</source>
        <translation>为各层评分</translation>
    </message>
    <message>
        <source>Measure each layer&apos;s sensitivity on the calibration files and choose the mix</source>
        <translation>在校准文件上测量每层的敏感度并选出混合方案</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop scoring</source>
        <translation>停止评分</translation>
    </message>
    <message>
        <source>Scoring progress: one pass per scheme option</source>
        <translation>评分进度：每个方案选项一遍</translation>
    </message>
    <message>
        <source>Not scored yet.</source>
        <translation>尚未评分。</translation>
    </message>
    <message>
        <source>Use this mix</source>
        <translation>使用此混合方案</translation>
    </message>
    <message>
        <source>Copy the chosen scheme of every layer into the per-layer overrides (editable before the run)</source>
        <translation>把每层选定的方案复制到逐层覆盖表（运行前可编辑）</translation>
    </message>
    <message>
        <source>Loss increase of each layer at the cheapest scheme (log scale), coloured by the scheme chosen for it</source>
        <translation>每层在最省位方案下的损失增量（对数刻度），颜色表示为其选定的方案</translation>
    </message>
    <message>
        <source>sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Per layer: parameters, sensitivity under each option, and the chosen scheme</source>
        <translation>逐层：参数量、各选项下的敏感度和选定的方案</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>AutoScheme is not available in this build.</source>
        <translation>此版本不提供 AutoScheme。</translation>
    </message>
    <message>
        <source>Open a model on the Model page first.</source>
        <translation>请先在“模型”页打开一个模型。</translation>
    </message>
    <message>
        <source>Add calibration files on the Settings tab first.</source>
        <translation>请先在“设置”标签页添加校准文件。</translation>
    </message>
    <message>
        <source>Tick at least one option.</source>
        <translation>请至少勾选一个选项。</translation>
    </message>
    <message>
        <source>Scoring…</source>
        <translation>正在评分…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>%1 layers: %2; %3 bits per weight (target %4); scores %5 in %6.</source>
        <translation>%1 层：%2；每权重 %3 位（目标 %4）；评分%5，用时 %6。</translation>
    </message>
    <message>
        <source>from the cache</source>
        <translation>来自缓存</translation>
    </message>
    <message>
        <source>computed</source>
        <translation>已计算</translation>
    </message>
    <message>
        <source>Loss increase of each layer at %1 (log scale), coloured by the scheme chosen for it</source>
        <translation>每层在 %1 下的损失增量（对数刻度），颜色表示为其选定的方案</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Chosen</source>
        <translation>选定</translation>
    </message>
    <message>
        <source>The mix is in the per-layer overrides.</source>
        <translation>混合方案已填入逐层覆盖表。</translation>
    </message>
</context>
<context>
    <name>ComparePage</name>
    <message>
        <source>Prompt:</source>
        <translation>提示词：</translation>
    </message>
    <message>
        <source>Once upon a time</source>
        <translation>Once upon a time</translation>
    </message>
    <message>
        <source>Models (the first is the reference):</source>
        <translation>模型（第一个为参照）：</translation>
    </message>
    <message>
        <source>Add model…</source>
        <translation>添加模型…</translation>
    </message>
    <message>
        <source>Add another model folder or .gguf file to the comparison</source>
        <translation>向对比中添加另一个模型文件夹或 .gguf 文件</translation>
    </message>
    <message>
        <source>The original model and the exports to compare with it; untick an export to leave it out</source>
        <translation>原始模型及要与其对比的导出结果；取消勾选某个导出结果即可将其排除</translation>
    </message>
    <message>
        <source>Highlighted: tokens where an export picks something other than the original&apos;s most likely next token after the same text.</source>
        <translation>高亮显示的词元：在相同前文之后，导出结果所选的词元不同于原始模型最可能的下一个词元。</translation>
    </message>
    <message>
        <source>reading the prompt…</source>
        <translation>正在读取提示词…</translation>
    </message>
    <message>
        <source>prompt: %1 tokens in %2 ms</source>
        <translation>提示词：%1 个词元，用时 %2 ms</translation>
    </message>
    <message>
        <source>Tokens each model generates at most (they also stop at end of text)</source>
        <translation>每个模型最多生成的词元数（遇到文本结束也会停止）</translation>
    </message>
    <message>
        <source>Max new tokens</source>
        <translation>最大新词元数</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
    </message>
    <message>
        <source>Send the prompt as a user message through the model&apos;s chat template (models without one say so)</source>
        <translation>将提示词作为用户消息，经模型的对话模板发送（没有对话模板的模型会注明）</translation>
    </message>
    <message>
        <source>greedy</source>
        <translation>贪心</translation>
    </message>
    <message>
        <source>Sampling temperature; greedy (0) always takes the most likely token</source>
        <translation>采样温度；贪心（0）总是选取最可能的词元</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>When sampling: keep only the k most likely tokens</source>
        <translation>采样时：只保留最可能的 k 个词元</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>When sampling: keep the most likely tokens until their probabilities add up to this</source>
        <translation>采样时：按可能性从高到低保留词元，直到其概率之和达到此值</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>When sampling: the same seed gives the same tokens</source>
        <translation>采样时：相同的种子生成相同的词元</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>original · %1</source>
        <translation>原始模型 · %1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source> · KLD %1</source>
        <translation> · KLD %1</translation>
    </message>
    <message>
        <source>Add a model (a .gguf, or any file in a model folder)</source>
        <translation>添加模型（.gguf 文件，或模型文件夹中的任意文件）</translation>
    </message>
    <message>
        <source>Models (*.gguf *.safetensors config.json);;All files (*)</source>
        <translation>模型 (*.gguf *.safetensors config.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open a model on the Model page first: it is the reference the others are compared with.</source>
        <translation>请先在“模型”页打开一个模型：它是其他模型对比的参照。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Generating… Highlighted: tokens where an export picks something other than the original&apos;s most likely next token after the same text (marked once all have finished).</source>
        <translation>正在生成… 高亮显示的词元：在相同前文之后，导出结果所选的词元不同于原始模型最可能的下一个词元（全部生成完成后标出）。</translation>
    </message>
    <message>
        <source>loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)…</source>
        <translation>
            <numerusform>%n 个词元…</numerusform>
        </translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n 个词元</numerusform>
        </translation>
    </message>
    <message>
        <source> · %1 tokens/s</source>
        <translation> · %1 词元/秒</translation>
    </message>
    <message>
        <source> · stopped: %1</source>
        <translation> · 停止：%1</translation>
    </message>
    <message>
        <source> · %1 of %2 differ from the original&apos;s choice</source>
        <translation> · %2 个中有 %1 个与原始模型的选择不同</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
</context>
<context>
    <name>ConfigurePage</name>
    <message>
        <source>No model open: open one on the Model page first.</source>
        <translation>尚未打开模型：请先在“模型”页打开一个。</translation>
    </message>
    <message>
        <source>Scheme and recipe</source>
        <translation>量化方案与配方</translation>
    </message>
    <message>
        <source>custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Bits per weight: 2, 3, 4 or 8</source>
        <translation>每个权重的位数：2、3、4 或 8</translation>
    </message>
    <message>
        <source>Weights sharing one scale; -1 = one group per output channel. Smaller groups: more accurate, larger file</source>
        <translation>共用一个缩放因子的权重个数；-1 = 每个输出通道一组。分组越小越精确，文件越大</translation>
    </message>
    <message>
        <source>symmetric</source>
        <translation>对称</translation>
    </message>
    <message>
        <source>Symmetric (full-range, no zero point per group) or asymmetric (a zero point per group)</source>
        <translation>对称（全范围，每组无零点）或非对称（每组一个零点）</translation>
    </message>
    <message>
        <source>auto-round: 200 iterations; -best: 1000 iterations, 512 samples; -light: 50 iterations; RTN: no tuning</source>
        <translation>auto-round：200 次迭代；-best：1000 次迭代、512 个样本；-light：50 次迭代；RTN：不调优</translation>
    </message>
    <message>
        <source>SignSGD steps per block; 0 = round-to-nearest</source>
        <translation>每个块的 SignSGD 步数；0 = 就近取整</translation>
    </message>
    <message>
        <source>Calibration sequences</source>
        <translation>校准序列数</translation>
    </message>
    <message>
        <source>Tokens per calibration sequence (at most the model&apos;s context)</source>
        <translation>每个校准序列的词元数（不超过模型的上下文长度）</translation>
    </message>
    <message>
        <source>Sequences per tuning step</source>
        <translation>每个调优步的序列数</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <source>Bits:</source>
        <translation>位数：</translation>
    </message>
    <message>
        <source>Group size:</source>
        <translation>分组大小：</translation>
    </message>
    <message>
        <source>Recipe:</source>
        <translation>配方：</translation>
    </message>
    <message>
        <source>Iterations:</source>
        <translation>迭代次数：</translation>
    </message>
    <message>
        <source>Samples:</source>
        <translation>样本数：</translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation>序列长度：</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>批大小：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Calibration data and output</source>
        <translation>校准数据与输出</translation>
    </message>
    <message>
        <source>Local .txt or .jsonl (field &quot;text&quot;) files the block outputs are matched on</source>
        <translation>用于匹配块输出的本地 .txt 或 .jsonl（字段 &quot;text&quot;）文件</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Add calibration text files</source>
        <translation>添加校准文本文件</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the selected calibration file</source>
        <translation>移除所选的校准文件</translation>
    </message>
    <message>
        <source>Calibration text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <source>Text (*.txt *.jsonl *.json)</source>
        <translation>文本 (*.txt *.jsonl *.json)</translation>
    </message>
    <message>
        <source>Calibration files:</source>
        <translation>校准文件：</translation>
    </message>
    <message>
        <source>AutoRound format, loadable by transformers (with auto-round) and vLLM</source>
        <translation>AutoRound 格式，可由 transformers（配合 auto-round）和 vLLM 加载</translation>
    </message>
    <message>
        <source>GPTQ format for GPTQ kernels</source>
        <translation>供 GPTQ 内核使用的 GPTQ 格式</translation>
    </message>
    <message>
        <source>AWQ format (4-bit only)</source>
        <translation>AWQ 格式（仅 4 位）</translation>
    </message>
    <message>
        <source>Dequantized weights as a plain model: for evaluation, and for layers packed formats cannot hold</source>
        <translation>反量化后的权重，保存为普通模型：用于评估，以及打包格式无法容纳的层</translation>
    </message>
    <message>
        <source>Export formats:</source>
        <translation>导出格式：</translation>
    </message>
    <message>
        <source>Exports go to sub-folders named after the model, scheme and format</source>
        <translation>导出结果写入以模型、方案和格式命名的子文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation>选择输出文件夹</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <source>Start quantization</source>
        <translation>开始量化</translation>
    </message>
    <message>
        <source>Run SignRound on the model with these settings (Ctrl+R)</source>
        <translation>用这些设置对模型运行 SignRound（Ctrl+R）</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>Open a model on the Model page first.</source>
        <translation>请先在“模型”页打开一个模型。</translation>
    </message>
    <message>
        <source>Add at least one calibration file.</source>
        <translation>请至少添加一个校准文件。</translation>
    </message>
    <message>
        <source>Calibration file not found: %1</source>
        <translation>找不到校准文件：%1</translation>
    </message>
    <message>
        <source>Evaluation text not found: %1</source>
        <translation>找不到评估文本：%1</translation>
    </message>
    <message>
        <source>Choose at least one export format.</source>
        <translation>请至少选择一种导出格式。</translation>
    </message>
    <message>
        <source>AutoRound scheme presets (group size 128 unless named), or a llama.cpp GGUF mix (sets the format)</source>
        <translation>AutoRound 方案预设（未注明时组大小为 128），或 llama.cpp 的 GGUF 混合类型（同时设定格式）</translation>
    </message>
    <message>
        <source>Tuning</source>
        <translation>调优</translation>
    </message>
    <message>
        <source>Learning rate of the rounding offsets; auto = 1/iterations</source>
        <translation>舍入偏移的学习率；自动 = 1/迭代次数</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Learning rate of the min/max clipping; auto = the learning rate</source>
        <translation>最小/最大裁剪的学习率；自动 = 与学习率相同</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>学习率：</translation>
    </message>
    <message>
        <source>Min/max learning rate:</source>
        <translation>最小/最大学习率：</translation>
    </message>
    <message>
        <source>A llama.cpp GGUF file; each layer is tuned in the type the mix gives it</source>
        <translation>llama.cpp 的 GGUF 文件；每层按混合类型分配给它的类型调优</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Scheme, recipe, tuning, calibration data and formats</source>
        <translation>方案、配方、调优、校准数据和格式</translation>
    </message>
    <message>
        <source>Per-layer overrides</source>
        <translation>逐层覆盖</translation>
    </message>
    <message>
        <source>Other schemes for some layers: the run&apos;s layer_config</source>
        <translation>为部分层指定其他方案：即本次运行的 layer_config</translation>
    </message>
    <message>
        <source>AutoScheme</source>
        <translation>AutoScheme</translation>
    </message>
    <message>
        <source>Score each layer&apos;s sensitivity and choose mixed bits for a target average</source>
        <translation>为每层的敏感度评分，并按目标平均位数选择混合位宽</translation>
    </message>
    <message>
        <source>Estimate: open a model first.</source>
        <translation>预估：请先打开一个模型。</translation>
    </message>
    <message>
        <source>Estimate: computing…</source>
        <translation>预估：正在计算…</translation>
    </message>
    <message>
        <source>Per-layer overrides: %1</source>
        <translation>逐层覆盖：%1</translation>
    </message>
    <message>
        <source>Estimate: %1</source>
        <translation>预估：%1</translation>
    </message>
    <message>
        <source>not measured</source>
        <translation>未测量</translation>
    </message>
    <message>
        <source>Estimate: peak memory %1 · tuning time %2 · %3 · %4 of %5 layers quantized</source>
        <translation>预估：峰值内存 %1 · 调优时间 %2 · %3 · 量化 %5 层中的 %4 层</translation>
    </message>
    <message>
        <source>The GGUF file type: a llama.cpp mix (Q4_K_M, ...) or one type for every tensor; tick GGUF to choose it</source>
        <translation>GGUF 文件类型：llama.cpp 的混合类型（Q4_K_M 等）或所有张量统一使用一种类型；勾选 GGUF 后即可选择</translation>
    </message>
    <message>
        <source>optional: a text file to measure perplexity on, before and after</source>
        <translation>可选：用于在量化前后测量困惑度的文本文件</translation>
    </message>
    <message>
        <source>The evaluation text: perplexity of the original and of every export on it, written into the model card</source>
        <translation>评估文本：原始模型和每个导出结果在其上的困惑度会写入模型卡</translation>
    </message>
    <message>
        <source>Choose the evaluation text</source>
        <translation>选择评估文本</translation>
    </message>
    <message>
        <source>Evaluation text (optional):</source>
        <translation>评估文本（可选）：</translation>
    </message>
    <message>
        <source>Pre-flight estimate from the settings alone: the peak memory the run needs (on top of what the app itself holds), the tuning time at the rate a tuning step measured on this machine runs, and the size of every export</source>
        <translation>仅根据设置得出的运行前预估：运行所需的峰值内存（在应用本身占用之外）、按本机实测的调优步速度算出的调优时间，以及每个导出结果的大小</translation>
    </message>
    <message>
        <source>Keyboard shortcut of Start</source>
        <translation>“开始量化”的键盘快捷键</translation>
    </message>
    <message>
        <source>Evaluation text</source>
        <translation>评估文本</translation>
    </message>
    <message>
        <source>Text (*.txt *.jsonl *.json);;All files (*)</source>
        <translation>文本 (*.txt *.jsonl *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>The model %1 is no longer there: open it again on the Model page.</source>
        <translation>模型 %1 已不存在：请在“模型”页重新打开。</translation>
    </message>
    <message>
        <source>%1 is a folder: add calibration text files instead.</source>
        <translation>%1 是文件夹：请改为添加校准文本文件。</translation>
    </message>
    <message>
        <source>Cannot read the calibration file %1: check its permissions or add another.</source>
        <translation>无法读取校准文件 %1：请检查其权限或添加其他文件。</translation>
    </message>
    <message>
        <source>Choose an output folder you can write to.</source>
        <translation>请选择一个可写入的输出文件夹。</translation>
    </message>
    <message>
        <source>%1 is a file: choose an output folder you can write to.</source>
        <translation>%1 是文件：请选择一个可写入的输出文件夹。</translation>
    </message>
    <message>
        <source>The output folder cannot be made inside %1, a file: choose an output folder you can write to.</source>
        <translation>无法在 %1 中创建输出文件夹，因为它是文件：请选择一个可写入的输出文件夹。</translation>
    </message>
    <message>
        <source>%1 cannot be written to: choose an output folder you can write to.</source>
        <translation>无法写入 %1：请选择一个可写入的输出文件夹。</translation>
    </message>
    <message>
        <source>%1 is a folder: choose an evaluation text file, or leave the field empty.</source>
        <translation>%1 是文件夹：请选择一个评估文本文件，或将此栏留空。</translation>
    </message>
    <message>
        <source>Cannot read the evaluation text %1: choose another file, or leave the field empty.</source>
        <translation>无法读取评估文本 %1：请选择其他文件，或将此栏留空。</translation>
    </message>
    <message>
        <source>Where the blocks are tuned and the exports evaluated: auto takes the first CUDA GPU LibTorch can use, else the CPU (default in Settings)</source>
        <translation>调优各个块并评估导出结果的设备：auto 选用 LibTorch 可用的第一块 CUDA GPU，否则使用 CPU（默认值在“设置”中）</translation>
    </message>
    <message>
        <source> · GPU memory %1</source>
        <translation> · GPU 显存 %1</translation>
    </message>
    <message>
        <source> · does not fit the GPU: %1</source>
        <translation> · GPU 显存不足：%1</translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <source>No finished run yet: its exports appear here.</source>
        <translation>还没有完成的运行：其导出结果会显示在这里。</translation>
    </message>
    <message>
        <source>Export / file</source>
        <translation>导出 / 文件</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Each export is a folder ready to load or upload; double-click to open it</source>
        <translation>每个导出结果都是可直接加载或上传的文件夹；双击打开</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Show the selected export&apos;s folder in the file manager</source>
        <translation>在文件管理器中显示所选导出结果的文件夹</translation>
    </message>
    <message>
        <source>Re-export in another format</source>
        <translation>以其他格式重新导出</translation>
    </message>
    <message>
        <source>Packed formats keep the tuned scheme; GGUF mixes write each tensor in llama.cpp&apos;s type for that mix</source>
        <translation>打包格式保留调优时的方案；GGUF 混合格式按 llama.cpp 为该混合选择的类型写入每个张量</translation>
    </message>
    <message>
        <source>The new export goes into a sub-folder named after the model, scheme and format</source>
        <translation>新的导出结果写入以模型、方案和格式命名的子文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Output folder</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <source>Re-export</source>
        <translation>重新导出</translation>
    </message>
    <message>
        <source>Write the finished run in the chosen format from its checkpoint, without tuning again</source>
        <translation>从检查点以所选格式写出已完成的运行，无需重新调优</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>输出文件夹：</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>%1 — %2: %3 export(s), %4 in all. Checkpoint: %5</source>
        <translation>%1 — %2：%3 个导出结果，共 %4。检查点：%5</translation>
    </message>
    <message>
        <source>Could not open %1: no file manager is registered. The path is in the Folder column.</source>
        <translation>无法打开 %1：系统未注册文件管理器。路径见“文件夹”列。</translation>
    </message>
    <message>
        <source>Choose a format.</source>
        <translation>请选择一种格式。</translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation>请选择输出文件夹。</translation>
    </message>
    <message>
        <source>Cannot re-export this run: %1. Quantize it again to export it.</source>
        <translation>无法重新导出此运行：%1。请重新量化后再导出。</translation>
    </message>
    <message>
        <source>Writing %1…</source>
        <translation>正在写入 %1…</translation>
    </message>
    <message>
        <source>Wrote %1.</source>
        <translation>已写入 %1。</translation>
    </message>
    <message>
        <source>(not saved to the run history: %1)</source>
        <translation>（未保存到运行历史：%1）</translation>
    </message>
    <message>
        <source>Re-export cancelled: %1</source>
        <translation>重新导出已取消：%1</translation>
    </message>
    <message>
        <source>Re-export failed: %1</source>
        <translation>重新导出失败：%1</translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation>解决办法：%1</translation>
    </message>
    <message>
        <source>Upload to Hub…</source>
        <translation>上传到 Hub…</translation>
    </message>
    <message>
        <source>Upload the selected export to a Hugging Face model repository, with its model card</source>
        <translation>将所选导出连同模型卡上传到 Hugging Face 模型仓库</translation>
    </message>
    <message>
        <source>Convert the open model (no quantization)</source>
        <translation>转换已打开的模型（不量化）</translation>
    </message>
    <message>
        <source>Write the model open on the Model page as a GGUF, as llama.cpp&apos;s converter does: no calibration, no tuning</source>
        <translation>像 llama.cpp 的转换器那样，将模型页中打开的模型写为 GGUF：不校准，不调优</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>F16, BF16 and F32 keep the weights as floats; Q8_0 rounds them to 8 bits (round-to-nearest, no SignRound tuning)</source>
        <translation>F16、BF16 和 F32 以浮点保存权重；Q8_0 将其舍入为 8 位（就近舍入，不经 SignRound 调优）</translation>
    </message>
    <message>
        <source>GGUF F16</source>
        <translation>GGUF F16</translation>
    </message>
    <message>
        <source>GGUF BF16</source>
        <translation>GGUF BF16</translation>
    </message>
    <message>
        <source>GGUF F32</source>
        <translation>GGUF F32</translation>
    </message>
    <message>
        <source>GGUF Q8_0 (round-to-nearest)</source>
        <translation>GGUF Q8_0（就近舍入）</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>The GGUF goes into a sub-folder named after the model and type, with a model card</source>
        <translation>GGUF 连同模型卡写入以模型和类型命名的子文件夹</translation>
    </message>
    <message>
        <source>Convert</source>
        <translation>转换</translation>
    </message>
    <message>
        <source>Write the open model in the chosen type, without quantizing it</source>
        <translation>以所选类型写出已打开的模型，不进行量化</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the conversion; nothing half-written is left under the final name</source>
        <translation>停止转换；最终文件名下不会留下写了一半的文件</translation>
    </message>
    <message>
        <source>Show the converted model&apos;s folder in the file manager</source>
        <translation>在文件管理器中显示转换后模型的文件夹</translation>
    </message>
    <message>
        <source>Could not open %1: no file manager is registered.</source>
        <translation>无法打开 %1：系统未注册文件管理器。</translation>
    </message>
    <message>
        <source>Open a model on the Model page first</source>
        <translation>请先在模型页打开一个模型</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Converting %1 to %2…</source>
        <translation>正在将 %1 转换为 %2…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Converted in %1: %2</source>
        <translation>转换完成，用时 %1：%2</translation>
    </message>
    <message>
        <source>Conversion cancelled: %1</source>
        <translation>转换已取消：%1</translation>
    </message>
    <message>
        <source>Conversion failed: %1</source>
        <translation>转换失败：%1</translation>
    </message>
    <message>
        <source>%1 (converted)</source>
        <translation>%1（转换）</translation>
    </message>
    <message>
        <source>A format whose types cannot store the run&apos;s tuned scheme is written by round-to-nearest from weights</source>
        <translation>若某格式的类型无法存储本次运行调优时的方案，则由权重按就近舍入写出</translation>
    </message>
    <message>
        <source>no tensor quantized: every tensor kept as floats from the original weights</source>
        <translation>没有量化任何张量：所有张量均以原始权重的浮点形式保留</translation>
    </message>
    <message>
        <source>%1 of %2 tensors from SignRound&apos;s tuned scales</source>
        <translation>%2 个张量中有 %1 个来自 SignRound 调优后的缩放因子</translation>
    </message>
    <message>
        <source>, %1 rounded to nearest again from the tuned weights</source>
        <translation>，%1 个由调优后的权重重新就近舍入</translation>
    </message>
    <message>
        <source>, %1 quantized from the original weights (round-to-nearest)</source>
        <translation>，%1 个由原始权重量化（就近舍入）</translation>
    </message>
    <message>
        <source>Cannot tell which tensors would use the tuned scales: %1</source>
        <translation>无法确定哪些张量会使用调优后的缩放因子：%1</translation>
    </message>
    <message>
        <source>From this run (tuned as %1): %2.</source>
        <translation>来自本次运行（按 %1 调优）：%2。</translation>
    </message>
    <message>
        <source>The result would be the original model in floats, without SignRound&apos;s tuning.</source>
        <translation>结果将是浮点形式的原始模型，不含 SignRound 的调优。</translation>
    </message>
    <message>
        <source>The result would be round-to-nearest (RTN) only: expect no better than plain RTN.</source>
        <translation>结果将只是就近舍入（RTN）：效果不会优于普通 RTN。</translation>
    </message>
    <message>
        <source>The result would equal plain round-to-nearest (RTN), not SignRound.</source>
        <translation>结果将等同于普通的就近舍入（RTN），而不是 SignRound。</translation>
    </message>
    <message>
        <source>Re-export without SignRound&apos;s tuning?</source>
        <translation>不使用 SignRound 的调优而重新导出？</translation>
    </message>
    <message>
        <source>%1 keeps every tensor as floats: the file would be the original model, without this run&apos;s tuning.</source>
        <translation>%1 将所有张量保留为浮点：文件将是原始模型，不含本次运行的调优。</translation>
    </message>
    <message>
        <source>No tensor of %1 can use this run&apos;s tuned scales (%2): every tensor would be rounded to nearest (RTN), so expect no better than plain RTN, not SignRound.</source>
        <translation>%1 中没有任何张量能使用本次运行调优后的缩放因子（%2）：所有张量都将就近舍入（RTN），因此效果不会优于普通 RTN，而不是 SignRound。</translation>
    </message>
    <message>
        <source>No tensor of %1 can use this run&apos;s tuned scales (%2): the file would equal plain round-to-nearest (RTN) quantization, not SignRound.</source>
        <translation>%1 中没有任何张量能使用本次运行调优后的缩放因子（%2）：文件将等同于普通的就近舍入（RTN）量化，而不是 SignRound。</translation>
    </message>
    <message>
        <source>%1.</source>
        <translation>%1。</translation>
    </message>
    <message>
        <source>To use SignRound for %1, tune a new run for it: each layer is then tuned in the type it is written in.</source>
        <translation>要对 %1 使用 SignRound，请为它调优一次新的运行：届时每层都按其写出时的类型调优。</translation>
    </message>
    <message>
        <source>Re-export anyway</source>
        <translation>仍然重新导出</translation>
    </message>
    <message>
        <source>Tune for this format</source>
        <translation>为此格式调优</translation>
    </message>
    <message>
        <source>Nothing written: set up a run that tunes for %1 on the Configure page.</source>
        <translation>未写入任何内容：请在“配置”页设置一次针对 %1 调优的运行。</translation>
    </message>
    <message>
        <source>Re-export cancelled: nothing written.</source>
        <translation>重新导出已取消：未写入任何内容。</translation>
    </message>
    <message>
        <source>Writing %1: %2…</source>
        <translation>正在写入 %1：%2…</translation>
    </message>
    <message>
        <source>Wrote %1: %2.</source>
        <translation>已写入 %1：%2。</translation>
    </message>
    <message>
        <source>It does not use SignRound&apos;s tuning (round-to-nearest only).</source>
        <translation>它未使用 SignRound 的调优（仅就近舍入）。</translation>
    </message>
</context>
<context>
    <name>HubPage</name>
    <message>
        <source>Hugging Face</source>
        <translation>Hugging Face</translation>
    </message>
    <message>
        <source>ModelScope</source>
        <translation>ModelScope</translation>
    </message>
    <message>
        <source>Where to find models: the Hugging Face Hub (search) or ModelScope (by model id; no search)</source>
        <translation>在哪里查找模型：Hugging Face Hub（可搜索）或 ModelScope（按模型 ID；不支持搜索）</translation>
    </message>
    <message>
        <source>Search models by name as you type; Enter on an exact id (org/name) lists its files</source>
        <translation>输入时按名称搜索模型；输入确切 ID（组织/名称）后按回车列出其文件</translation>
    </message>
    <message>
        <source>Most downloads</source>
        <translation>下载最多</translation>
    </message>
    <message>
        <source>Most likes</source>
        <translation>点赞最多</translation>
    </message>
    <message>
        <source>Recently updated</source>
        <translation>最近更新</translation>
    </message>
    <message>
        <source>Trending</source>
        <translation>热门趋势</translation>
    </message>
    <message>
        <source>Order of the search results</source>
        <translation>搜索结果的排序方式</translation>
    </message>
    <message>
        <source>The Hugging Face account the token belongs to; needed for gated and private models and for uploads</source>
        <translation>令牌所属的 Hugging Face 账户；访问受限模型、私有模型和上传时需要</translation>
    </message>
    <message>
        <source>hf_… access token</source>
        <translation>hf_… 访问令牌</translation>
    </message>
    <message>
        <source>A Hugging Face access token (Settings → Access Tokens on the Hub); read access to download, write to upload</source>
        <translation>Hugging Face 访问令牌（Hub 上的 Settings → Access Tokens）；下载需读取权限，上传需写入权限</translation>
    </message>
    <message>
        <source>Remember</source>
        <translation>记住</translation>
    </message>
    <message>
        <source>Save the token in this app&apos;s settings so it is used next time (it is never written to the log)</source>
        <translation>将令牌保存在本应用的设置中供下次使用（绝不会写入日志）</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Check the token with the Hub (whoami) and use it for this session</source>
        <translation>通过 Hub（whoami）验证令牌，并在本次会话中使用</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Stop using the token and remove a saved one from the app&apos;s settings</source>
        <translation>停止使用令牌，并从应用设置中删除已保存的令牌</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>下载量</translation>
    </message>
    <message>
        <source>Likes</source>
        <translation>点赞</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Search results; select one to see its files. Size is the weights&apos; size from their parameter counts</source>
        <translation>搜索结果；选择一项查看其文件。大小为根据参数量计算的权重大小</translation>
    </message>
    <message>
        <source>More results</source>
        <translation>更多结果</translation>
    </message>
    <message>
        <source>Load the next page of results</source>
        <translation>加载下一页结果</translation>
    </message>
    <message>
        <source>Select a model to see its files.</source>
        <translation>选择一个模型以查看其文件。</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Ticked files are downloaded; the ones a quantization needs are ticked for you</source>
        <translation>勾选的文件将被下载；量化所需的文件已为你勾选</translation>
    </message>
    <message>
        <source>Needed files</source>
        <translation>所需文件</translation>
    </message>
    <message>
        <source>Tick only config, tokenizer and safetensors weights: what a quantization needs</source>
        <translation>只勾选配置、分词器和 safetensors 权重：即量化所需的文件</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Tick every file</source>
        <translation>勾选所有文件</translation>
    </message>
    <message>
        <source>None</source>
        <translation>全不选</translation>
    </message>
    <message>
        <source>Untick every file</source>
        <translation>取消勾选所有文件</translation>
    </message>
    <message>
        <source>Download the ticked files into the shared cache (resumes an interrupted download), then open the model</source>
        <translation>将勾选的文件下载到共享缓存（可续传中断的下载），然后打开模型</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop downloading; partial files are kept and resumed next time</source>
        <translation>停止下载；已下载的部分文件会保留，下次继续</translation>
    </message>
    <message>
        <source>Bytes downloaded of all ticked files</source>
        <translation>所有勾选文件已下载的字节数</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>文件数</translation>
    </message>
    <message>
        <source>Snapshot</source>
        <translation>快照</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>下载时间</translation>
    </message>
    <message>
        <source>Models in the shared caches (also those downloaded by transformers, vLLM or llama.cpp); double-click to open</source>
        <translation>共享缓存中的模型（包括 transformers、vLLM 或 llama.cpp 下载的模型）；双击打开</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Scan the caches again</source>
        <translation>重新扫描缓存</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Open the selected model&apos;s snapshot on the Model page</source>
        <translation>在“模型”页打开所选模型的快照</translation>
    </message>
    <message>
        <source>Local cache</source>
        <translation>本地缓存</translation>
    </message>
    <message>
        <source>Checking the token…</source>
        <translation>正在验证令牌…</translation>
    </message>
    <message>
        <source>Search models on %1, e.g. llama 1B</source>
        <translation>在 %1 上搜索模型，例如 llama 1B</translation>
    </message>
    <message>
        <source>ModelScope model id (owner/name), then Enter — ModelScope has no search here</source>
        <translation>输入 ModelScope 模型 ID（所有者/名称）后按回车——此处不支持搜索 ModelScope</translation>
    </message>
    <message>
        <source>Search is not available for ModelScope: type a model id and press Enter.</source>
        <translation>ModelScope 不支持搜索：请输入模型 ID 并按回车。</translation>
    </message>
    <message>
        <source>Searching the most downloaded models…</source>
        <translation>正在搜索下载最多的模型…</translation>
    </message>
    <message>
        <source>Searching “%1”…</source>
        <translation>正在搜索“%1”…</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>gated</source>
        <translation>受限</translation>
    </message>
    <message>
        <source>private</source>
        <translation>私有</translation>
    </message>
    <message>
        <source>GGUF</source>
        <translation>GGUF</translation>
    </message>
    <message>
        <source>Gated: accept the conditions on the model&apos;s Hub page while logged in, then log in here</source>
        <translation>受限：请先登录并在该模型的 Hub 页面上接受条款，然后在此登录</translation>
    </message>
    <message>
        <source>No models match.</source>
        <translation>没有匹配的模型。</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) shown%1</source>
        <translation>
            <numerusform>已显示 %n 个模型%1</numerusform>
        </translation>
    </message>
    <message>
        <source>; more available</source>
        <translation>；还有更多</translation>
    </message>
    <message>
        <source>Listing the files of %1…</source>
        <translation>正在列出 %1 的文件…</translation>
    </message>
    <message>
        <source>  (LFS)</source>
        <translation>  (LFS)</translation>
    </message>
    <message>
        <source>%1 on %2: %3 of %4 files ticked, %5</source>
        <translation>%2 上的 %1：已勾选 %3/%4 个文件，共 %5</translation>
    </message>
    <message>
        <source>A download is already running.</source>
        <translation>已有下载正在进行。</translation>
    </message>
    <message>
        <source>Starting the download of %1 into %2…</source>
        <translation>开始将 %1 下载到 %2…</translation>
    </message>
    <message>
        <source>%1 of %2 · %3/s · ETA %4 · %5 of %6 files</source>
        <translation>%1 / %2 · %3/s · 剩余 %4 · %5/%6 个文件</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Downloaded %1 into %2; opening it on the Model page.</source>
        <translation>已将 %1 下载到 %2；正在“模型”页中打开。</translation>
    </message>
    <message>
        <source>Logged in as %1</source>
        <translation>已登录为 %1</translation>
    </message>
    <message>
        <source> (%1 token)</source>
        <translation>（%1 令牌）</translation>
    </message>
    <message>
        <source>; organizations: %1</source>
        <translation>；组织：%1</translation>
    </message>
    <message>
        <source>Using the token %1 from %2</source>
        <translation>正在使用来自 %2 的令牌 %1</translation>
    </message>
    <message>
        <source>Not logged in: public models only. Gated and private models and uploads need a token.</source>
        <translation>未登录：仅限公开模型。受限模型、私有模型和上传需要令牌。</translation>
    </message>
    <message>
        <source>Scanning %1 and %2…</source>
        <translation>正在扫描 %1 和 %2…</translation>
    </message>
    <message>
        <source>No models in %1 or %2 yet.</source>
        <translation>%1 和 %2 中还没有模型。</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) in the caches.</source>
        <translation>
            <numerusform>缓存中有 %n 个模型。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 is gone; press Refresh.</source>
        <translation>%1 已不存在；请点击“刷新”。</translation>
    </message>
    <message>
        <source>32-bit float, the full-precision weights: the best source for a quantization</source>
        <translation>32 位浮点，即全精度权重：量化的最佳来源</translation>
    </message>
    <message>
        <source>16-bit float, practically lossless: a good source for a quantization</source>
        <translation>16 位浮点，几乎无损：量化的良好来源</translation>
    </message>
    <message>
        <source>bfloat16, the precision most models are trained in: a good source for a quantization</source>
        <translation>bfloat16，大多数模型训练时使用的精度：量化的良好来源</translation>
    </message>
    <message>
        <source>8-bit with very little loss: a good source when no F16 or BF16 file is offered</source>
        <translation>8 位，损失很小：没有 F16 或 BF16 文件时的良好来源</translation>
    </message>
    <message>
        <source>Already quantized to about %1 bits per weight: quantizing it again loses quality; prefer F16, BF16 or Q8_0</source>
        <translation>已量化到每权重约 %1 位：再次量化会损失质量；请优先选择 F16、BF16 或 Q8_0</translation>
    </message>
    <message>
        <source>Already quantized (%1): quantizing it again loses quality; prefer F16, BF16 or Q8_0</source>
        <translation>已量化（%1）：再次量化会损失质量；请优先选择 F16、BF16 或 Q8_0</translation>
    </message>
    <message>
        <source>The quantization type is not recognised from the file name</source>
        <translation>无法从文件名识别量化类型</translation>
    </message>
    <message>
        <source>GGUF files</source>
        <translation>GGUF 文件</translation>
    </message>
    <message>
        <source>Select a type to tick exactly its files, then Download. F32, F16, BF16 and Q8_0 are good sources for a quantization; re-quantizing a lower-bit file loses quality.</source>
        <translation>选择一种类型即只勾选它的文件，然后点击“下载”。F32、F16、BF16 和 Q8_0 是量化的良好来源；对更低位数的文件再次量化会损失质量。</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>The repository&apos;s GGUF files by quantization type; select one to download only its files, double-click to download it at once</source>
        <translation>按量化类型分组的仓库 GGUF 文件；选择一种类型只下载它的文件，双击立即下载</translation>
    </message>
    <message>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>about %1 bits per weight</source>
        <translation>每权重约 %1 位</translation>
    </message>
    <message>
        <source>%1 files: %2 …</source>
        <translation>%1 个文件：%2 …</translation>
    </message>
    <message>
        <source>✓ good source</source>
        <translation>✓ 良好来源</translation>
    </message>
    <message>
        <source>unknown type</source>
        <translation>未知类型</translation>
    </message>
    <message>
        <source>lossy source</source>
        <translation>有损来源</translation>
    </message>
    <message numerus="yes">
        <source>GGUF files: %n type(s)</source>
        <translation>
            <numerusform>GGUF 文件：%n 种类型</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HubSession</name>
    <message>
        <source>Download cancelled; the partial files are kept and the next download resumes them.</source>
        <translation>下载已取消；部分文件已保留，下次下载时将继续。</translation>
    </message>
    <message>
        <source>Paste a token first: create one at %1/settings/tokens.</source>
        <translation>请先粘贴令牌：可在 %1/settings/tokens 创建。</translation>
    </message>
    <message>
        <source>No token is set: log in with a token from %1/settings/tokens.</source>
        <translation>未设置令牌：请使用在 %1/settings/tokens 创建的令牌登录。</translation>
    </message>
    <message>
        <source>Hugging Face</source>
        <translation>Hugging Face</translation>
    </message>
    <message>
        <source>ModelScope</source>
        <translation>ModelScope</translation>
    </message>
    <message>
        <source>Upload cancelled; blobs already sent are skipped by the next attempt.</source>
        <translation>上传已取消；已发送的数据块在下次尝试时会跳过。</translation>
    </message>
</context>
<context>
    <name>LayerOverridesEditor</name>
    <message>
        <source>Each row overrides the default scheme for the layers it names: an exact name (model.layers.0.mlp.down_proj), a substring (k_proj) or a regular expression. Later rows win. AutoScheme&apos;s &quot;Use this mix&quot; fills this table.</source>
        <translation>每一行为其指定的层覆盖默认方案：完整层名（model.layers.0.mlp.down_proj）、子串（k_proj）或正则表达式。后面的行优先。AutoScheme 的“使用此混合方案”会填写此表。</translation>
    </message>
    <message>
        <source>Layer name or regex</source>
        <translation>层名或正则表达式</translation>
    </message>
    <message>
        <source>Bits</source>
        <translation>位数</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>组大小</translation>
    </message>
    <message>
        <source>Sym</source>
        <translation>对称</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Per-layer schemes; they become the run&apos;s layer_config</source>
        <translation>逐层方案；它们成为本次运行的 layer_config</translation>
    </message>
    <message>
        <source>Add row</source>
        <translation>添加行</translation>
    </message>
    <message>
        <source>Add an override row (8 bits for the layers it names)</source>
        <translation>添加一行覆盖（其指定的层使用 8 位）</translation>
    </message>
    <message>
        <source>Remove row</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>Remove the selected override row</source>
        <translation>删除所选的覆盖行</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Remove every override: all layers use the default scheme</source>
        <translation>删除全部覆盖：所有层使用默认方案</translation>
    </message>
    <message>
        <source>An exact layer name, a substring or a regular expression</source>
        <translation>完整层名、子串或正则表达式</translation>
    </message>
    <message>
        <source>Weight bits for these layers</source>
        <translation>这些层的权重位数</translation>
    </message>
    <message>
        <source>Group size for these layers; -1 = one group per output channel</source>
        <translation>这些层的组大小；-1 = 每个输出通道一组</translation>
    </message>
    <message>
        <source>Symmetric quantization for these layers</source>
        <translation>这些层使用对称量化</translation>
    </message>
    <message>
        <source>Keep these layers in full precision</source>
        <translation>这些层保持全精度</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>SignRound Studio</source>
        <translation>SignRound Studio</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Open a model and see what is in it</source>
        <translation>打开一个模型，查看其中的内容</translation>
    </message>
    <message>
        <source>Configure</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Scheme, recipe, calibration data and formats</source>
        <translation>方案、配方、校准数据和格式</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Live loss curves, progress and results</source>
        <translation>实时损失曲线、进度和结果</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Per-layer losses and the accuracy-versus-size trade-off across runs</source>
        <translation>逐层损失，以及各次运行在精度与大小之间的权衡</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>The written files, open folder, re-export in another format</source>
        <translation>已写入的文件、打开文件夹、以其他格式重新导出</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open model folder…</source>
        <translation>打开模型文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About SignRound Studio</source>
        <translation>关于 SignRound Studio(&amp;A)</translation>
    </message>
    <message>
        <source>A run is already in progress</source>
        <translation>已有一个运行正在进行</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <source>%1 (built with %2)</source>
        <translation>%1（编译时为 %2）</translation>
    </message>
    <message>
        <source>LibTorch</source>
        <translation>LibTorch</translation>
    </message>
    <message>
        <source>oneDNN</source>
        <translation>oneDNN</translation>
    </message>
    <message>
        <source>BLAS</source>
        <translation>BLAS</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>线程数</translation>
    </message>
    <message>
        <source>&lt;h3&gt;SignRound Studio %1&lt;/h3&gt;&lt;p&gt;Quantize Hugging Face language models to 2–8 bits with SignRound (AutoRound).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;SignRound Studio %1&lt;/h3&gt;&lt;p&gt;用 SignRound（AutoRound）将 Hugging Face 语言模型量化到 2–8 位。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About SignRound Studio</source>
        <translation>关于 SignRound Studio</translation>
    </message>
    <message>
        <source>The new language applies when SignRound Studio starts again.</source>
        <translation>新的语言将在 SignRound Studio 下次启动时生效。</translation>
    </message>
    <message>
        <source>Hub</source>
        <translation>模型中心</translation>
    </message>
    <message>
        <source>Find and download models from the Hugging Face Hub or ModelScope; models in the local cache</source>
        <translation>从 Hugging Face Hub 或 ModelScope 查找并下载模型；查看本地缓存中的模型</translation>
    </message>
    <message>
        <source>LibTorch CUDA</source>
        <translation>LibTorch 的 CUDA</translation>
    </message>
    <message>
        <source>Open &amp;GGUF file…</source>
        <translation>打开 &amp;GGUF 文件…</translation>
    </message>
    <message>
        <source>Discard the unfinished run?</source>
        <translation>丢弃未完成的运行？</translation>
    </message>
    <message>
        <source>This deletes the checkpoint of the run of %1 in %2 (%3 of %4 blocks tuned). It cannot be undone.</source>
        <translation>这将删除 %2 中 %1 的运行检查点（已调优 %4 块中的 %3 块）。此操作无法撤销。</translation>
    </message>
    <message>
        <source>Quit during a run?</source>
        <translation>在运行过程中退出？</translation>
    </message>
    <message>
        <source>A run is in progress. Quit anyway? The blocks tuned so far stay checkpointed, and the app offers to resume the run at its next start.</source>
        <translation>有运行正在进行。仍要退出吗？已调优的块会保留在检查点中，应用下次启动时会提示继续此运行。</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <source>The original and its exports generating side by side from one prompt</source>
        <translation>原始模型及其导出结果根据同一提示词并排生成</translation>
    </message>
    <message>
        <source>&amp;Welcome</source>
        <translation>欢迎(&amp;W)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Start quantization</source>
        <translation>开始量化(&amp;S)</translation>
    </message>
    <message>
        <source>Run SignRound on the open model with the Configure page&apos;s settings</source>
        <translation>用“配置”页的设置对已打开的模型运行 SignRound</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>暂停(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Stop after the current step; the tuned blocks stay checkpointed for Resume</source>
        <translation>在当前步骤后停止；已调优的块保留在检查点中，可供“继续运行”使用</translation>
    </message>
    <message>
        <source>C&amp;ontinue</source>
        <translation>继续(&amp;O)</translation>
    </message>
    <message>
        <source>Continue the paused run</source>
        <translation>继续已暂停的运行</translation>
    </message>
    <message>
        <source>Hold the run at its next step without using the CPU</source>
        <translation>在下一步暂停运行，不占用 CPU</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>%1  —  %2</source>
        <translation>%1  —  %2</translation>
    </message>
    <message>
        <source>Could not open the model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Could not open %1:
%2</source>
        <translation>无法打开 %1：
%2</translation>
    </message>
    <message>
        <source>%1 stays open.</source>
        <translation>%1 仍保持打开。</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Cores</source>
        <translation>核心数</translation>
    </message>
    <message>
        <source>%1 physical, %2 logical</source>
        <translation>%1 个物理核心，%2 个逻辑核心</translation>
    </message>
    <message>
        <source>Instruction set</source>
        <translation>指令集</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>%1 total, %2 available</source>
        <translation>共 %1，可用 %2</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>cannot remember the run for resuming: %1</source>
        <translation>无法记住此运行以便之后继续：%1</translation>
    </message>
    <message>
        <source>AutoScheme did not finish: see the AutoScheme tab</source>
        <translation>AutoScheme 未完成：请查看 AutoScheme 选项卡</translation>
    </message>
</context>
<context>
    <name>ModelPage</name>
    <message>
        <source>Open model folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
    <message>
        <source>Models opened before</source>
        <translation>以前打开过的模型</translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation>最近：</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>概要</translation>
    </message>
    <message>
        <source>Linear layers to quantize</source>
        <translation>要量化的线性层</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Shape (out × in)</source>
        <translation>形状（输出 × 输入）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Open model folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Reading %1 …</source>
        <translation>正在读取 %1 …</translation>
    </message>
    <message>
        <source>%1 (model_type %2)</source>
        <translation>%1（model_type %2）</translation>
    </message>
    <message>
        <source>%1 / %2 KV heads, head_dim %3</source>
        <translation>%1 / %2 个 KV 头，head_dim %3</translation>
    </message>
    <message numerus="yes">
        <source>%1 in %n safetensors file(s)</source>
        <translation>
            <numerusform>%1，共 %n 个 safetensors 文件</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 linear layers, %2 parameters</source>
        <translation>%1 个线性层，%2 个参数</translation>
    </message>
    <message>
        <source>Layers marked &apos;ragged group&apos; have a dimension that is not a multiple of 32: they are tuned with a shorter last group, and the packed auto_round / GPTQ / AWQ exports keep them in full precision.</source>
        <translation>标为“不整分组”的层有一个维度不是 32 的倍数：它们以较短的最后一组进行调优，打包的 auto_round / GPTQ / AWQ 导出会将其保留为全精度。</translation>
    </message>
    <message>
        <source>ragged group; full precision in packed exports</source>
        <translation>不整分组；打包导出中为全精度</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>警告：%1</translation>
    </message>
    <message>
        <source>Could not open %1:
%2</source>
        <translation>无法打开 %1：
%2</translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation>解决办法：%1</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
    <message>
        <source>Open a model folder: a Hugging Face model (config.json + *.safetensors) or a folder holding one .gguf file (Ctrl+O)</source>
        <translation>打开模型文件夹：Hugging Face 模型（config.json + *.safetensors），或只含一个 .gguf 文件的文件夹（Ctrl+O）</translation>
    </message>
    <message>
        <source>Open GGUF file…</source>
        <translation>打开 GGUF 文件…</translation>
    </message>
    <message>
        <source>Open a single .gguf model file (llama.cpp&apos;s format; F32, F16, BF16 or already quantized) (Ctrl+Shift+O)</source>
        <translation>打开单个 .gguf 模型文件（llama.cpp 的格式；F32、F16、BF16 或已量化）（Ctrl+Shift+O）</translation>
    </message>
    <message>
        <source>No model open. Open a local model folder or a .gguf file to begin, or drop one here.</source>
        <translation>尚未打开模型。请打开一个本地模型文件夹或 .gguf 文件开始，或将其拖放到此处。</translation>
    </message>
    <message>
        <source>Open GGUF file</source>
        <translation>打开 GGUF 文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>GGUF (%1)</source>
        <translation>GGUF（%1）</translation>
    </message>
    <message>
        <source>safetensors (Hugging Face folder)</source>
        <translation>safetensors（Hugging Face 文件夹）</translation>
    </message>
    <message>
        <source>none found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>%1; %2</source>
        <translation>%1；%2</translation>
    </message>
    <message>
        <source>chat template</source>
        <translation>有对话模板</translation>
    </message>
    <message>
        <source>no chat template</source>
        <translation>无对话模板</translation>
    </message>
    <message>
        <source>%1, %2 bits per weight</source>
        <translation>%1，每权重 %2 位</translation>
    </message>
    <message>
        <source>%1 (one GGUF file)</source>
        <translation>%1（单个 GGUF 文件）</translation>
    </message>
    <message>
        <source>This model is already quantized: its linear layers are stored as %1 (%2 bits per weight).</source>
        <translation>此模型已经量化：其线性层以 %1 存储（每权重 %2 位）。</translation>
    </message>
    <message>
        <source>Opened %1 from the Hub cache: %2</source>
        <translation>已从 Hub 缓存打开 %1：%2</translation>
    </message>
    <message>
        <source>Opened model %1</source>
        <translation>已打开模型 %1</translation>
    </message>
    <message>
        <source>Still open: %1</source>
        <translation>仍保持打开：%1</translation>
    </message>
    <message>
        <source>Still open: %1 (%2)</source>
        <translation>仍保持打开：%1（%2）</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>the run&apos;s checkpoint folder is not known</source>
        <translation>不知道此运行的检查点文件夹</translation>
    </message>
    <message>
        <source>its checkpoint is gone from %1</source>
        <translation>它的检查点已不在 %1 中</translation>
    </message>
    <message>
        <source>%1/state.json is damaged</source>
        <translation>%1/state.json 已损坏</translation>
    </message>
    <message>
        <source>the checkpoint in %1 is of an unfinished run</source>
        <translation>%1 中的检查点属于一个未完成的运行</translation>
    </message>
    <message>
        <source>a later run with other settings replaced the checkpoint in %1</source>
        <translation>之后一次使用其他设置的运行替换了 %1 中的检查点</translation>
    </message>
    <message>
        <source>unknown settings</source>
        <translation>未知设置</translation>
    </message>
    <message>
        <source>%1 %2, %3 iters</source>
        <translation>%1 %2，%3 次迭代</translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation>解决办法：%1</translation>
    </message>
    <message>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <source>enter it in the token field on the Hub page and press Log in (or set HF_TOKEN)</source>
        <translation>请在 Hub 页的令牌栏中输入它，然后点击“登录”（或设置 HF_TOKEN）</translation>
    </message>
    <message>
        <source>enter a token of that account on the Hub page and press Log in (or set HF_TOKEN)</source>
        <translation>请在 Hub 页输入该账户的令牌，然后点击“登录”（或设置 HF_TOKEN）</translation>
    </message>
    <message>
        <source>(log in on the Hub page, or set HF_TOKEN)</source>
        <translation>（请在 Hub 页登录，或设置 HF_TOKEN）</translation>
    </message>
    <message>
        <source>check the network connection (and proxy settings), then try again</source>
        <translation>请检查网络连接（及代理设置），然后重试</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <source>Finished runs of this model, newest first (from the run history)</source>
        <translation>此模型已完成的运行，最新的在前（来自运行历史）</translation>
    </message>
    <message>
        <source>Run:</source>
        <translation>运行：</translation>
    </message>
    <message>
        <source>No finished run yet: results appear here when a run ends.</source>
        <translation>还没有完成的运行：运行结束后结果会显示在这里。</translation>
    </message>
    <message>
        <source>block</source>
        <translation>块</translation>
    </message>
    <message>
        <source>block output MSE</source>
        <translation>块输出均方误差</translation>
    </message>
    <message>
        <source>Per block: loss with round-to-nearest (initial) and with the tuned rounding (best)</source>
        <translation>每个块：就近取整的损失（初始）与调优后取整的损失（最佳）</translation>
    </message>
    <message>
        <source>bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <source>Every evaluated export of every run of this model: lower and further left is better</source>
        <translation>此模型每次运行的每个已评估导出：越低、越靠左越好</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Bits / group</source>
        <translation>位数 / 分组</translation>
    </message>
    <message>
        <source>Initial loss</source>
        <translation>初始损失</translation>
    </message>
    <message>
        <source>Best loss</source>
        <translation>最佳损失</translation>
    </message>
    <message>
        <source>Improvement</source>
        <translation>改进</translation>
    </message>
    <message>
        <source>Weight error RTN → tuned</source>
        <translation>权重误差 RTN → 调优后</translation>
    </message>
    <message>
        <source>Flipped</source>
        <translation>翻转</translation>
    </message>
    <message>
        <source>Quantized linear layer</source>
        <translation>已量化的线性层</translation>
    </message>
    <message>
        <source>Weight bits and group size (-1: one group per output channel)</source>
        <translation>权重位数与分组大小（-1：每个输出通道一组）</translation>
    </message>
    <message>
        <source>Output MSE of the layer&apos;s block with round-to-nearest (the layers of a block are tuned together)</source>
        <translation>该层所在块在就近取整下的输出均方误差（同一块的各层一起调优）</translation>
    </message>
    <message>
        <source>Output MSE of the block with the tuned rounding and clipping that were kept</source>
        <translation>块在保留的调优取整和裁剪下的输出均方误差</translation>
    </message>
    <message>
        <source>How much lower the tuned loss is than round-to-nearest&apos;s</source>
        <translation>调优后的损失比就近取整低多少</translation>
    </message>
    <message>
        <source>Relative weight error ||W − Q(W)|| / ||W||: tuning trades it for a lower output loss</source>
        <translation>相对权重误差 ||W − Q(W)|| / ||W||：调优以它换取更低的输出损失</translation>
    </message>
    <message>
        <source>Share of weights rounded the other way than round-to-nearest</source>
        <translation>与就近取整方向相反取整的权重所占比例</translation>
    </message>
    <message>
        <source>No finished run of %1 in the history yet.</source>
        <translation>历史中还没有 %1 已完成的运行。</translation>
    </message>
    <message>
        <source>%1: %2 layers in %3 blocks, %4.</source>
        <translation>%1：%3 个块中的 %2 个层，%4。</translation>
    </message>
    <message>
        <source>Summed block loss %1 % lower than round-to-nearest.</source>
        <translation>块损失之和比就近取整低 %1 %。</translation>
    </message>
    <message>
        <source>block %1 · %2</source>
        <translation>块 %1 · %2</translation>
    </message>
    <message>
        <source>initial (RTN)</source>
        <translation>初始（RTN）</translation>
    </message>
    <message>
        <source>best (SignRound)</source>
        <translation>最佳（SignRound）</translation>
    </message>
    <message>
        <source>%1 (this run)</source>
        <translation>%1（本次运行）</translation>
    </message>
    <message>
        <source>%1 (other runs)</source>
        <translation>%1（其他运行）</translation>
    </message>
    <message>
        <source>original</source>
        <translation>原始模型</translation>
    </message>
    <message>
        <source>mean KL divergence from the original (nats)</source>
        <translation>与原始模型的平均 KL 散度（nats）</translation>
    </message>
    <message>
        <source>How far each export&apos;s next-token distributions are from the original&apos;s, on the evaluation text: lower and further left is better</source>
        <translation>在评估文本上，每个导出结果的下一词元分布与原始模型的差距：越低、越靠左越好</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Bits / weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>PPL</source>
        <translation>PPL</translation>
    </message>
    <message>
        <source>KLD mean</source>
        <translation>KLD 均值</translation>
    </message>
    <message>
        <source>KLD p99</source>
        <translation>KLD p99</translation>
    </message>
    <message>
        <source>Top-1</source>
        <translation>Top-1</translation>
    </message>
    <message>
        <source>Format of the export (hover for its path)</source>
        <translation>导出的格式（悬停可查看其路径）</translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation>磁盘占用</translation>
    </message>
    <message>
        <source>Bits per weight of the quantized linear layers, scales and zero points included</source>
        <translation>量化线性层的每权重位数，含缩放和零点</translation>
    </message>
    <message>
        <source>Perplexity on the evaluation text (lower is better)</source>
        <translation>评估文本上的困惑度（越低越好）</translation>
    </message>
    <message>
        <source>Mean KL divergence of the next-token distribution from the original&apos;s, in nats (lower is better)</source>
        <translation>下一词元分布与原始模型之间的平均 KL 散度，单位为 nats（越低越好）</translation>
    </message>
    <message>
        <source>99th percentile of the per-token KL divergence: the worst tokens</source>
        <translation>逐词元 KL 散度的第 99 百分位：即最差的那些词元</translation>
    </message>
    <message>
        <source>How often the most likely next token is the same as the original&apos;s</source>
        <translation>最可能的下一个词元与原始模型相同的比例</translation>
    </message>
    <message>
        <source>Exports</source>
        <translation>导出结果</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层</translation>
    </message>
    <message>
        <source>No layers yet — a finished run lists its quantized layers here</source>
        <translation>暂无层 — 完成的运行会在此列出其量化的层</translation>
    </message>
    <message>
        <source>No exports yet — a finished run lists the files it wrote here</source>
        <translation>暂无导出结果 — 完成的运行会在此列出其写出的文件</translation>
    </message>
    <message>
        <source>No run yet —
configure one and press Start</source>
        <translation>尚无运行 —
请配置一次运行并点击“开始量化”</translation>
    </message>
    <message>
        <source>This run recorded
no block losses</source>
        <translation>此运行未记录
块损失</translation>
    </message>
    <message>
        <source>No perplexities yet:
give an evaluation text
on the Configure page</source>
        <translation>暂无困惑度：
请在“配置”页
指定评估文本</translation>
    </message>
    <message>
        <source>No KL divergences yet:
runs with an evaluation text
measure them</source>
        <translation>暂无 KL 散度：
指定了评估文本的运行
会测量它们</translation>
    </message>
    <message>
        <source>not measured: the run had no evaluation text</source>
        <translation>未测量：此运行没有评估文本</translation>
    </message>
</context>
<context>
    <name>ResumeBanner</name>
    <message>
        <source>Checkpoint in %1</source>
        <translation>检查点位于 %1</translation>
    </message>
    <message>
        <source>Resume (block %1 of %2)</source>
        <translation>继续运行（第 %1 块，共 %2 块）</translation>
    </message>
    <message>
        <source>Continue this run from its checkpoint with the settings it was started with</source>
        <translation>用启动时的设置从检查点继续此运行</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>Delete this run&apos;s checkpoint and stop offering it</source>
        <translation>删除此运行的检查点，不再提示</translation>
    </message>
    <message numerus="yes">
        <source>%n more unfinished run(s) will be offered after these.</source>
        <translation>
            <numerusform>处理完这些之后，还会提示另外 %n 个未完成的运行。</numerusform>
        </translation>
    </message>
    <message>
        <source>Unfinished run of %1 (%2), started %3: %4 of %5 blocks tuned; it continues at block %6.</source>
        <translation>%1 的未完成运行（%2），开始于 %3：已调优 %5 块中的 %4 块；将从第 %6 块继续。</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Hold the run at its next step without using the CPU; press again to continue (Ctrl+P)</source>
        <translation>在下一步暂停运行，不占用 CPU；再按一次继续（Ctrl+P）</translation>
    </message>
    <message>
        <source>iteration</source>
        <translation>迭代</translation>
    </message>
    <message>
        <source>block output MSE</source>
        <translation>块输出均方误差</translation>
    </message>
    <message>
        <source>Mini-batch loss of the block being tuned, per SignSGD iteration</source>
        <translation>正在调优的块在每次 SignSGD 迭代的小批量损失</translation>
    </message>
    <message>
        <source>block</source>
        <translation>块</translation>
    </message>
    <message>
        <source>Per block: round-to-nearest loss against the loss with the tuned rounding</source>
        <translation>每个块：就近取整的损失与调优后取整的损失对比</translation>
    </message>
    <message>
        <source>RTN</source>
        <translation>RTN</translation>
    </message>
    <message>
        <source>SignRound</source>
        <translation>SignRound</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Scheme</source>
        <translation>方案</translation>
    </message>
    <message>
        <source>Weight error RTN</source>
        <translation>RTN 权重误差</translation>
    </message>
    <message>
        <source>Weight error tuned</source>
        <translation>调优后权重误差</translation>
    </message>
    <message>
        <source>Flipped</source>
        <translation>翻转</translation>
    </message>
    <message>
        <source>Relative weight error ||W − Q(W)|| / ||W|| with round-to-nearest and tuned; share of weights rounded the other way</source>
        <translation>就近取整与调优后的相对权重误差 ||W − Q(W)|| / ||W||；反向取整的权重比例</translation>
    </message>
    <message>
        <source>Exports written by the run</source>
        <translation>本次运行写出的导出结果</translation>
    </message>
    <message>
        <source>Phase: %1</source>
        <translation>阶段：%1</translation>
    </message>
    <message>
        <source>Phase: %1 (%2)</source>
        <translation>阶段：%1（%2）</translation>
    </message>
    <message>
        <source>Quantizing %1 linear layers in %2 blocks</source>
        <translation>正在量化 %2 个块中的 %1 个线性层</translation>
    </message>
    <message>
        <source>block %1</source>
        <translation>块 %1</translation>
    </message>
    <message>
        <source>Tuning block %1 of %2</source>
        <translation>正在调优第 %1 块（共 %2 块）</translation>
    </message>
    <message>
        <source>block %1 · %2</source>
        <translation>块 %1 · %2</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <source>tuning</source>
        <translation>调优</translation>
    </message>
    <message>
        <source>exporting</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>evaluating</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Paused — press Continue (Ctrl+P) to go on, or Cancel to stop</source>
        <translation>已暂停 — 点击“继续”（Ctrl+P）接着运行，或点击“取消”停止</translation>
    </message>
    <message>
        <source>Finished in %1.</source>
        <translation>已完成，用时 %1。</translation>
    </message>
    <message>
        <source>Cancelled: %1</source>
        <translation>已取消：%1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>What to do: %1</source>
        <translation>解决办法：%1</translation>
    </message>
    <message>
        <source>block 1</source>
        <translation>块 1</translation>
    </message>
    <message>
        <source>blocks 1–%1</source>
        <translation>块 1–%1</translation>
    </message>
    <message>
        <source>No run yet — configure one and press Start.</source>
        <translation>尚无运行 — 请配置一次运行并点击“开始量化”。</translation>
    </message>
    <message>
        <source>Stop after the current step; finished blocks stay checkpointed, and Resume continues from them (Ctrl+.)</source>
        <translation>在当前步骤后停止；已完成的块保留在检查点中，“继续运行”会从这些块之后接着进行（Ctrl+.）</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <source>No run yet — configure one and press Start</source>
        <translation>尚无运行 — 请配置一次运行并点击“开始量化”</translation>
    </message>
    <message>
        <source>No blocks tuned yet</source>
        <translation>尚未调优任何块</translation>
    </message>
    <message>
        <source>Next:</source>
        <translation>下一步：</translation>
    </message>
    <message>
        <source>View results</source>
        <translation>查看结果</translation>
    </message>
    <message>
        <source>The Results page: per-layer losses, the exports&apos; perplexity and size, and the other runs of this model</source>
        <translation>“结果”页：逐层损失、导出结果的困惑度和大小，以及此模型的其他运行</translation>
    </message>
    <message>
        <source>Open export folder</source>
        <translation>打开导出文件夹</translation>
    </message>
    <message>
        <source>Open the folder the exports were written to</source>
        <translation>打开导出结果所在的文件夹</translation>
    </message>
    <message>
        <source>Upload to Hub…</source>
        <translation>上传到 Hub…</translation>
    </message>
    <message>
        <source>Upload the export to a Hugging Face repository</source>
        <translation>将导出结果上传到 Hugging Face 仓库</translation>
    </message>
    <message>
        <source>Change settings</source>
        <translation>更改设置</translation>
    </message>
    <message>
        <source>Back to the Configure page to change what made the run fail</source>
        <translation>返回“配置”页，修改导致运行失败的设置</translation>
    </message>
    <message>
        <source>Waiting for the first iteration…</source>
        <translation>正在等待第一次迭代…</translation>
    </message>
    <message>
        <source>No block tuned yet</source>
        <translation>尚未调优任何块</translation>
    </message>
    <message>
        <source>No layers yet — they are listed as their blocks finish</source>
        <translation>暂无层 — 各层会在其所在块完成时列出</translation>
    </message>
    <message>
        <source>No files yet — the exports are listed when the run has written them</source>
        <translation>暂无文件 — 运行写出导出结果后会在此列出</translation>
    </message>
    <message>
        <source>Starting the run…</source>
        <translation>正在启动运行…</translation>
    </message>
    <message>
        <source>All %1 blocks were tuned before: writing the exports again from the checkpoint</source>
        <translation>全部 %1 块此前均已调优：正在从检查点重新写出导出结果</translation>
    </message>
    <message>
        <source>Resuming at block %1 of %2: %3</source>
        <translation>从第 %1 块（共 %2 块）继续运行：%3</translation>
    </message>
    <message>
        <source>Resuming at block 1 of %1</source>
        <translation>从第 1 块（共 %1 块）继续运行</translation>
    </message>
    <message>
        <source>%1 were tuned before the resume</source>
        <translation>%1 已在继续运行前调优</translation>
    </message>
    <message>
        <source>before the resume</source>
        <translation>继续运行前</translation>
    </message>
    <message>
        <source>before the resume
(losses not in the checkpoint)</source>
        <translation>继续运行前
（检查点中没有损失）</translation>
    </message>
    <message>
        <source>Block %1 of %2: loss %3 → %4 (%5 % lower, best at iteration %6) in %7</source>
        <translation>第 %1 块（共 %2 块）：损失 %3 → %4（降低 %5 %，最佳在第 %6 次迭代），用时 %7</translation>
    </message>
    <message>
        <source>%1 of %2 blocks done · elapsed %3 · ETA %4 · memory %5 (peak %6)</source>
        <translation>已完成 %1/%2 块 · 已用 %3 · 剩余 %4 · 内存 %5（峰值 %6）</translation>
    </message>
    <message>
        <source>Resume (block %1 of %2)</source>
        <translation>继续运行（第 %1 块，共 %2 块）</translation>
    </message>
    <message>
        <source>Continue this run from block %1 of %2: the %3 tuned blocks are kept</source>
        <translation>从第 %1 块（共 %2 块）继续此运行：保留已调优的 %3 个块</translation>
    </message>
    <message>
        <source>press Resume to continue at block %1 of %2; %3 stay checkpointed.</source>
        <translation>点击“继续运行”从第 %1 块（共 %2 块）继续；%3 保留在检查点中。</translation>
    </message>
    <message>
        <source>What to do: %1 Then %2</source>
        <translation>解决办法：%1 然后%2</translation>
    </message>
    <message>
        <source>Every block was tuned before the resume</source>
        <translation>所有块都已在继续运行前调优</translation>
    </message>
    <message>
        <source>No iterations: the run ended before tuning</source>
        <translation>无迭代：运行在调优前就已结束</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>打开 %1</translation>
    </message>
    <message>
        <source>Upload %1 to a Hugging Face repository</source>
        <translation>将 %1 上传到 Hugging Face 仓库</translation>
    </message>
    <message>
        <source>Could not open %1: no file manager is registered.</source>
        <translation>无法打开 %1：系统未注册文件管理器。</translation>
    </message>
</context>
<context>
    <name>RunRecorder</name>
    <message>
        <source>could not save the run to the history: %1</source>
        <translation>无法将此运行保存到历史记录：%1</translation>
    </message>
    <message>
        <source>run saved to the history: %1</source>
        <translation>运行已保存到历史记录：%1</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Where new runs write their exports unless the Configure page says otherwise</source>
        <translation>新运行写出导出结果的位置（除非“配置”页另行指定）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Default output folder</source>
        <translation>默认输出文件夹</translation>
    </message>
    <message>
        <source>Default output folder:</source>
        <translation>默认输出文件夹：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>System follows the desktop; Light and Dark use the same look on every platform</source>
        <translation>“跟随系统”与桌面一致；“浅色”和“深色”在各平台外观相同</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Language of the interface</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>A new language applies when SignRound Studio starts again.</source>
        <translation>新的语言将在 SignRound Studio 下次启动时生效。</translation>
    </message>
    <message>
        <source>Device new runs tune on: auto takes the first CUDA GPU LibTorch can use, else the CPU</source>
        <translation>新运行所用的调优设备：auto 选用 LibTorch 可用的第一块 CUDA GPU，否则使用 CPU</translation>
    </message>
</context>
<context>
    <name>UploadDialog</name>
    <message>
        <source>Upload to Hub</source>
        <translation>上传到 Hub</translation>
    </message>
    <message>
        <source>Upload %1 to %2 as a model repository.</source>
        <translation>将 %1 作为模型仓库上传到 %2。</translation>
    </message>
    <message>
        <source>The repository to create or update, as account/name (or organization/name)</source>
        <translation>要创建或更新的仓库，格式为 账户/名称（或 组织/名称）</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>仓库</translation>
    </message>
    <message>
        <source>Private (only you and your organization can see it)</source>
        <translation>私有（仅你和你的组织可见）</translation>
    </message>
    <message>
        <source>Create the repository as private; has no effect on a repository that already exists</source>
        <translation>将仓库创建为私有；对已存在的仓库无效</translation>
    </message>
    <message>
        <source>Upload %1 with SignRound Studio</source>
        <translation>使用 SignRound Studio 上传 %1</translation>
    </message>
    <message>
        <source>The commit message of the upload</source>
        <translation>本次上传的提交说明</translation>
    </message>
    <message>
        <source>Commit message</source>
        <translation>提交说明</translation>
    </message>
    <message>
        <source>Model card (README.md):</source>
        <translation>模型卡（README.md）：</translation>
    </message>
    <message>
        <source>The model card uploaded as README.md; edits here are uploaded, the export folder is not changed</source>
        <translation>作为 README.md 上传的模型卡；此处的修改会被上传，导出文件夹保持不变</translation>
    </message>
    <message>
        <source>Bytes sent (or found already on the Hub) of the whole upload</source>
        <translation>整个上传中已发送（或 Hub 上已存在）的字节数</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <source>Create the repository if needed and upload the folder in one commit</source>
        <translation>如有需要则创建仓库，并在一次提交中上传该文件夹</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Cancel a running upload, or close</source>
        <translation>取消正在进行的上传，或关闭</translation>
    </message>
    <message>
        <source>Checking the token…</source>
        <translation>正在验证令牌…</translation>
    </message>
    <message>
        <source>Uploading needs a token with write access: log in on the Hub page first.</source>
        <translation>上传需要具有写入权限的令牌：请先在 Hub 页登录。</translation>
    </message>
    <message>
        <source>Logged in as %1.</source>
        <translation>已登录为 %1。</translation>
    </message>
    <message>
        <source>Give the repository as account/name.</source>
        <translation>请以 账户/名称 的格式填写仓库。</translation>
    </message>
    <message>
        <source>Another upload is running.</source>
        <translation>另一个上传正在进行。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Uploading to %1…</source>
        <translation>正在上传到 %1…</translation>
    </message>
    <message>
        <source>%1: %2 of %3 · ETA %4 · %5 of %6 files</source>
        <translation>%1：%2 / %3 · 剩余 %4 · %5/%6 个文件</translation>
    </message>
    <message>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <source>Uploaded: &lt;a href=&quot;%1&quot;&gt;%1&lt;/a&gt; (commit &lt;a href=&quot;%2&quot;&gt;%2&lt;/a&gt;)</source>
        <translation>已上传：&lt;a href=&quot;%1&quot;&gt;%1&lt;/a&gt;（提交 &lt;a href=&quot;%2&quot;&gt;%2&lt;/a&gt;）</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome to SignRound Studio</source>
        <translation>欢迎使用 SignRound Studio</translation>
    </message>
    <message>
        <source>Quantize a language model to 2–8 bits with SignRound. Start with a model:</source>
        <translation>用 SignRound 将语言模型量化到 2–8 位。先选择一个模型：</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
    <message>
        <source>A Hugging Face model folder (config.json and safetensors) or a .gguf file on this computer</source>
        <translation>本机上的 Hugging Face 模型文件夹（config.json 和 safetensors）或 .gguf 文件</translation>
    </message>
    <message>
        <source>Search the Hugging Face Hub</source>
        <translation>搜索 Hugging Face Hub</translation>
    </message>
    <message>
        <source>Find a model, download it into the shared Hugging Face cache, then open it</source>
        <translation>查找模型，下载到共享的 Hugging Face 缓存，然后打开</translation>
    </message>
    <message>
        <source>Try the sample model</source>
        <translation>试用示例模型</translation>
    </message>
    <message>
        <source>stories260K, a tiny TinyStories model that quantizes in seconds</source>
        <translation>stories260K，一个几秒钟即可量化完成的微型 TinyStories 模型</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>最近的模型</translation>
    </message>
    <message>
        <source>None yet: the models you open appear here.</source>
        <translation>暂无：你打开的模型会显示在这里。</translation>
    </message>
    <message>
        <source>Not found: the sample is models/stories260K-hf in ../shared/data beside the source folder (or in $SRS_SHARED_DATA).</source>
        <translation>未找到：示例模型是源代码文件夹旁 ../shared/data 中的 models/stories260K-hf（或位于 $SRS_SHARED_DATA 中）。</translation>
    </message>
    <message>
        <source>%1  —  %2</source>
        <translation>%1  —  %2</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>打开 %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>SignRound Studio: quantize language models with SignRound</source>
        <translation>SignRound Studio：用 SignRound 量化语言模型</translation>
    </message>
    <message>
        <source>Save a PNG of the window, then exit.</source>
        <translation>保存窗口的 PNG 截图，然后退出。</translation>
    </message>
    <message>
        <source>Calibration text file(s) to preset on the Configure page.</source>
        <translation>在“配置”页预设的校准文本文件。</translation>
    </message>
    <message>
        <source>Start quantizing the given model with the Configure page&apos;s settings once it is open.</source>
        <translation>模型打开后，立即用“配置”页的设置开始量化。</translation>
    </message>
    <message>
        <source>Output folder to preset on the Configure page.</source>
        <translation>在“配置”页预设的输出文件夹。</translation>
    </message>
    <message>
        <source>Iterations to preset on the Configure page.</source>
        <translation>在“配置”页预设的迭代次数。</translation>
    </message>
    <message>
        <source>Evaluation text to preset on the Configure page.</source>
        <translation>在“配置”页预设的评估文本。</translation>
    </message>
    <message>
        <source>With --autostart: save every page as DIR/&lt;page&gt;-page.png after the run, then exit.</source>
        <translation>与 --autostart 一起使用：运行结束后将每个页面保存为 DIR/&lt;page&gt;-page.png，然后退出。</translation>
    </message>
    <message>
        <source>Calibration samples to preset on the Configure page.</source>
        <translation>在“配置”页预设的校准样本数。</translation>
    </message>
    <message>
        <source>Group size to preset on the Configure page (32, 64, 128 or -1).</source>
        <translation>在“配置”页预设的分组大小（32、64、128 或 -1）。</translation>
    </message>
    <message>
        <source>Weight bits to preset on the Configure page.</source>
        <translation>在“配置”页预设的权重位数。</translation>
    </message>
    <message>
        <source>Sequence length to preset on the Configure page.</source>
        <translation>在“配置”页预设的序列长度。</translation>
    </message>
    <message>
        <source>Interface language for this start: en or zh_CN (default: Settings).</source>
        <translation>本次启动的界面语言：en 或 zh_CN（默认：见“设置”）。</translation>
    </message>
    <message>
        <source>Theme for this start: system, light or dark (default: Settings).</source>
        <translation>本次启动的主题：system、light 或 dark（默认：见“设置”）。</translation>
    </message>
    <message>
        <source>Open the Hub page and search for QUERY (with --screenshot: once the results are shown).</source>
        <translation>打开 Hub 页并搜索 QUERY（配合 --screenshot：在结果显示后截图）。</translation>
    </message>
    <message>
        <source>Model folder or .gguf file to open at start</source>
        <translation>启动时打开的模型文件夹或 .gguf 文件</translation>
    </message>
    <message>
        <source>Page to show first: model, configure, run, results, export, compare or hub.</source>
        <translation>首先显示的页面：model、configure、run、results、export、compare 或 hub。</translation>
    </message>
    <message>
        <source>With --autostart: once the run has ended, generate from PROMPT on the Compare page with the original and the run&apos;s exports (with --screenshot_dir: before the screenshots).</source>
        <translation>与 --autostart 一起使用：运行结束后，在“对比”页用原始模型和本次运行的导出结果根据 PROMPT 生成（配合 --screenshot_dir：在截图之前）。</translation>
    </message>
</context>
<context>
    <name>srs::ui</name>
    <message>
        <source>The run folder %1 holds a damaged checkpoint (%2).</source>
        <translation>运行文件夹 %1 中有一个已损坏的检查点（%2）。</translation>
    </message>
    <message>
        <source>The run folder %1 holds an unfinished run of %2: %3 of %4 blocks tuned and saved.</source>
        <translation>运行文件夹 %1 中有 %2 的一个未完成运行：已调优并保存 %4 块中的 %3 块。</translation>
    </message>
    <message>
        <source>a model</source>
        <translation>某个模型</translation>
    </message>
    <message>
        <source>Unfinished run in this folder</source>
        <translation>此文件夹中有未完成的运行</translation>
    </message>
    <message>
        <source>It was made with these settings. Resume it, or start over and replace it?</source>
        <translation>它是用这些设置创建的。要继续运行，还是重新开始并替换它？</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <source>It was made with other settings or another model. Starting here replaces it; choose another output folder to keep it.</source>
        <translation>它是用其他设置或其他模型创建的。在此开始会替换它；若要保留它，请选择其他输出文件夹。</translation>
    </message>
    <message>
        <source>Choose another folder…</source>
        <translation>选择其他文件夹…</translation>
    </message>
    <message>
        <source>Start over</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <source>Replace it</source>
        <translation>替换</translation>
    </message>
</context>
<context>
    <name>srs::ui::ModelPage</name>
    <message>
        <source>Architecture</source>
        <translation>架构</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Hidden size</source>
        <translation>隐藏层大小</translation>
    </message>
    <message>
        <source>Intermediate size</source>
        <translation>中间层大小</translation>
    </message>
    <message>
        <source>Attention heads</source>
        <translation>注意力头</translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation>词表</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation>磁盘占用</translation>
    </message>
    <message>
        <source>Quantizable</source>
        <translation>可量化</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <source>Stored types</source>
        <translation>存储类型</translation>
    </message>
    <message>
        <source>Linear weights</source>
        <translation>线性层权重</translation>
    </message>
</context>
<context>
    <name>srs::ui::RunHistory</name>
    <message>
        <source>skipping damaged run history file %1: %2</source>
        <translation>跳过已损坏的运行历史文件 %1：%2</translation>
    </message>
</context>
<context>
    <name>srs::ui::UnfinishedRuns</name>
    <message>
        <source>forgetting the damaged unfinished-run entry %1</source>
        <translation>忽略已损坏的未完成运行条目 %1</translation>
    </message>
</context>
</TS>
